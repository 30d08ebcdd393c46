/**
 * The settings lbprov reads from a config file (lbprov.cfg or Ansible's ansible.cfg) and from the
 * environment, with Ansible's names: the INI section and key, and the variables (LBPROV_* first,
 * then Ansible's ANSIBLE_*). Precedence: command line > environment > config file > default.
 */
export type SettingType = 'string' | 'bool' | 'int' | 'posnum' | 'path' | 'pathlist' | 'list' | 'become-method';

export interface SettingDef {
  type: SettingType;
  /** [section, key] pairs in the config file; the first is the documented one. */
  ini: Array<[string, string]>;
  /** Environment variables, the first found wins. */
  env: string[];
  doc: string;
}

const env = (name: string, ...more: string[]): string[] => [`LBPROV_${name}`, `ANSIBLE_${name}`, ...more];

export const SETTINGS = {
  inventory: {
    type: 'pathlist',
    ini: [
      ['defaults', 'inventory'],
      ['defaults', 'hostfile'],
    ],
    env: env('INVENTORY'),
    doc: 'inventory sources when no -i is given (comma-separated)',
  },
  forks: { type: 'int', ini: [['defaults', 'forks']], env: env('FORKS'), doc: 'hosts in parallel (--forks)' },
  remote_user: {
    type: 'string',
    ini: [['defaults', 'remote_user']],
    env: env('REMOTE_USER'),
    doc: 'login user (-u), below ansible_user',
  },
  private_key_file: {
    type: 'path',
    ini: [['defaults', 'private_key_file']],
    env: env('PRIVATE_KEY_FILE'),
    doc: 'SSH key (--private-key), below ansible_ssh_private_key_file',
  },
  host_key_checking: {
    type: 'bool',
    ini: [['defaults', 'host_key_checking']],
    env: env('HOST_KEY_CHECKING'),
    doc: 'false: lbprov_host_key_checking off',
  },
  timeout: {
    type: 'posnum',
    ini: [['defaults', 'timeout']],
    env: env('TIMEOUT'),
    doc: 'SSH connect timeout in seconds (-T), below lbprov_connect_timeout',
  },
  become: {
    type: 'bool',
    ini: [['privilege_escalation', 'become']],
    env: env('BECOME'),
    doc: 'become by default (-b)',
  },
  become_user: {
    type: 'string',
    ini: [['privilege_escalation', 'become_user']],
    env: env('BECOME_USER'),
    doc: 'the user to become (--become-user)',
  },
  become_method: {
    type: 'become-method',
    ini: [['privilege_escalation', 'become_method']],
    env: env('BECOME_METHOD'),
    doc: 'sudo or su (--become-method)',
  },
  become_flags: {
    type: 'string',
    ini: [['privilege_escalation', 'become_flags']],
    env: env('BECOME_FLAGS'),
    doc: 'flags for sudo or su',
  },
  become_ask_pass: {
    type: 'bool',
    ini: [['privilege_escalation', 'become_ask_pass']],
    env: env('BECOME_ASK_PASS'),
    doc: 'prompt for the become password (-K)',
  },
  roles_path: {
    type: 'pathlist',
    ini: [['defaults', 'roles_path']],
    env: env('ROLES_PATH'),
    doc: 'where roles are looked up, after roles/ beside the playbook',
  },
  ssh_args: {
    type: 'string',
    ini: [['ssh_connection', 'ssh_args']],
    env: env('SSH_ARGS'),
    doc: 'OpenSSH options (-o ProxyJump=...), passed on as ansible_ssh_common_args',
  },
  ssh_config: {
    type: 'string',
    ini: [['ssh_connection', 'ssh_config']],
    env: env('SSH_CONFIG'),
    doc: 'the OpenSSH client config to read (a path, or none)',
  },
  retry_files_enabled: {
    type: 'bool',
    ini: [['defaults', 'retry_files_enabled']],
    env: env('RETRY_FILES_ENABLED'),
    doc: 'write a .retry file of failed hosts',
  },
  retry_files_save_path: {
    type: 'path',
    ini: [['defaults', 'retry_files_save_path']],
    env: env('RETRY_FILES_SAVE_PATH'),
    doc: 'where .retry files go',
  },
  inventory_script_timeout: {
    type: 'posnum',
    ini: [['inventory', 'script_timeout']],
    env: ['LBPROV_INVENTORY_SCRIPT_TIMEOUT'],
    doc: 'seconds an executable inventory may take per call (default 60)',
  },
} satisfies Record<string, SettingDef>;

export type SettingName = keyof typeof SETTINGS;
