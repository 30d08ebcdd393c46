import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODULES } from '../modules/index.js';
import { censorArgs, NO_LOG_VALUE, secretArgs } from '../src/module/no-log-args.js';

// Ansible's argument_spec no_log=True: user's password is shown as VALUE_SPECIFIED_IN_NO_LOG_PARAMETER at -v
test("user's password is a secret argument; the others are shown as given", () => {
  const schema = MODULES.get('user')!.schema;
  const args = { name: 'ops', password: '$6$salt$hash', shell: '/bin/bash' };
  assert.equal(secretArgs(schema, args), ['password']);
  assert.equal(censorArgs(schema, args), { name: 'ops', password: NO_LOG_VALUE, shell: '/bin/bash' });
  assert.equal(args.password, '$6$salt$hash', 'the task keeps its value');
  assert.equal(secretArgs(schema, { name: 'ops' }), []);
  assert.equal(secretArgs(MODULES.get('copy')!.schema, { dest: '/x', content: 'password' }), []);
});

test.run();
