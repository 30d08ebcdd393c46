import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labNet, type LabState } from '../../src/lab/lab.js';
import { applyJson, withStatus } from '../helpers/cli.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/**
 * stat, lineinfile, blockinfile, replace, get_url and unarchive on real lab hosts over real SSH:
 * a check run on fresh hosts predicts every change and changes nothing, an apply makes them, a
 * second apply reports changed=0, and the files on the hosts are what Ansible's modules leave.
 * get_url fetches both a file:// URL and a > 64 KiB file from an HTTP server this suite serves on
 * the lab's bridge address; unarchive unpacks a local tar.gz and a zip already on the host.
 */
const test = suite('file modules on the lab');
// two of the shared lab's hosts: the whole suite's lab has more (sharedLab takes the largest ask)
const HOSTS = ['h1', 'h2'];
const MODULE_TASKS = [
  'lineinfile creates',
  'lineinfile after',
  'lineinfile backrefs',
  'lineinfile absent',
  'blockinfile',
  'replace',
  'get_url file',
  'get_url http',
  'unarchive local',
  'unarchive remote zip',
];
const big = randomBytes(200 * 1024);
const bigSum = createHash('sha256').update(big).digest('hex');
let lab: LabState;
let server: Server;
let dir: string;
let vars: string[] = [];

const SETUP = `- hosts: h1:h2
  gather_facts: false
  tasks:
    - file: { path: "{{ item }}", state: directory }
      loop: [/srv/fm, /srv/fm/pub, /srv/fm/app, /srv/fm/tools]
    - copy: { dest: /srv/fm/pub/src.conf, content: "listen=0.0.0.0\\nport=80\\n" }
    - copy: { dest: /srv/fm/pub/tools.zip, src: tools.zip }
    - copy: { dest: /srv/fm/sysctl.conf, content: "net.core.somaxconn=1024\\n# keep\\nvm.swappiness=60\\n" }
`;

const MODULES = `- hosts: h1:h2
  gather_facts: false
  tasks:
    - name: stat
      stat: { path: /srv/fm/pub/src.conf }
      register: st
    - name: stat says what is there
      assert:
        that:
          - st.stat.exists
          - st.stat.isreg
          - not st.stat.isdir
          - st.stat.mode == "0644"
          - st.stat.pw_name == "root"
          - st.stat.size == 23
          - st.stat.checksum == "{{ src_sha1 }}"
    - name: lineinfile creates
      lineinfile: { path: /srv/fm/app.conf, regexp: "^port=", line: port=8080, create: true, mode: "0640" }
    - name: lineinfile after
      lineinfile: { path: /srv/fm/app.conf, line: "# managed", insertbefore: BOF }
    - name: lineinfile backrefs
      lineinfile:
        path: /srv/fm/sysctl.conf
        regexp: '^(net\\.core\\.somaxconn)=(\\d+)$'
        line: '\\1 = \\2'
        backrefs: true
    - name: lineinfile absent
      lineinfile: { path: /srv/fm/sysctl.conf, regexp: "^# keep", state: absent }
    - name: blockinfile
      blockinfile:
        path: /srv/fm/app.conf
        marker: "# {mark} lab hosts"
        block: |
          h1 = 1
          h2 = 2
    - name: replace
      replace: { path: /srv/fm/sysctl.conf, regexp: '^(vm\\.\\w+)=(\\d+)$', replace: '\\1 = \\2' }
    - name: get_url file
      get_url:
        url: file:///srv/fm/pub/src.conf
        dest: /srv/fm/got.conf
        mode: "0600"
        checksum: "sha1:{{ src_sha1 }}"
    - name: get_url http
      get_url: { url: "{{ http }}/big.bin", dest: /srv/fm/, checksum: "sha256:{{ big_sum }}" }
    - name: unarchive local
      unarchive: { src: app.tar.gz, dest: /srv/fm/app, list_files: true }
      register: ua
    - name: unarchive remote zip
      unarchive: { src: /srv/fm/pub/tools.zip, dest: /srv/fm/tools, remote_src: true, mode: "0750" }
`;

const APP_CONF = '# managed\nport=8080\n# BEGIN lab hosts\nh1 = 1\nh2 = 2\n# END lab hosts\n';

if (requireRoot('file modules on the lab', labMissing())) {
  test.before(async () => {
    lab = await sharedLab(2);
    dir = mkdtempSync(join(tmpdir(), 'lbprov-fm-'));
    const files = join(dir, 'files');
    const src = join(dir, 'src');
    mkdirSync(join(src, 'release', 'bin'), { recursive: true });
    writeFileSync(join(src, 'release', 'bin', 'run'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    writeFileSync(join(src, 'release', 'VERSION'), '1.4\n');
    mkdirSync(files);
    execFileSync('tar', ['-C', src, '-czf', join(files, 'app.tar.gz'), 'release']);
    execFileSync('zip', ['-qr', join(files, 'tools.zip'), 'release'], { cwd: src });
    writeFileSync(join(dir, 'setup.yml'), SETUP);
    writeFileSync(join(dir, 'modules.yml'), MODULES);
    server = createServer((req, res) => {
      if (req.url === '/big.bin') res.end(big);
      else res.writeHead(404).end('not found');
    });
    const gw = labNet().gateway;
    await new Promise<void>((ok) => server.listen(0, gw, ok));
    const port = (server.address() as AddressInfo).port;
    vars = [
      '-e',
      `http=http://${gw}:${port}`,
      '-e',
      `src_sha1=${createHash('sha1').update('listen=0.0.0.0\nport=80\n').digest('hex')}`,
      '-e',
      `big_sum=${bigSum}`,
    ];
    await sh(lab, 'h1', 'rm -rf /srv/fm');
    await sh(lab, 'h2', 'rm -rf /srv/fm');
    const setup = await applyJson([join(dir, 'setup.yml'), '-i', lab.inventory]);
    assert.is(setup.code, 0, setup.stderr + JSON.stringify(setup.run));
  });

  test.after(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('check mode predicts every change on fresh hosts and changes nothing', async () => {
    const r = await applyJson([join(dir, 'modules.yml'), '-i', lab.inventory, ...vars, '--check', '--diff']);
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run, null, 1));
    assert.equal(withStatus(r.run, 'changed'), MODULE_TASKS.flatMap((t) => HOSTS.map((h) => `${t} @ ${h}`)).sort());
    const t = (name: string) => r.run.plays[0].tasks.find((x) => x.name === name)!.hosts.h1;
    // the later tasks plan against what the earlier ones would have written
    assert.is(t('blockinfile').diff![0].after, APP_CONF);
    assert.is(t('replace').diff![0].after, 'net.core.somaxconn = 1024\nvm.swappiness = 60\n');
    assert.equal(t('lineinfile backrefs').diff![0], {
      path: '/srv/fm/sysctl.conf',
      before: 'net.core.somaxconn=1024\n# keep\nvm.swappiness=60\n',
      after: 'net.core.somaxconn = 1024\n# keep\nvm.swappiness=60\n',
    });
    assert.is(t('get_url file').diff![0].after, 'listen=0.0.0.0\nport=80\n');
    assert.match(t('unarchive local').diff![0].after, /^release: created\n/);
    const left = await sh(
      lab,
      'h1',
      'ls -A /srv/fm; echo --; ls -A /srv/fm/app; ls -A /srv/fm/tools; cat /srv/fm/sysctl.conf',
    );
    assert.is(left.out, 'app\npub\nsysctl.conf\ntools\n--\nnet.core.somaxconn=1024\n# keep\nvm.swappiness=60\n');
  });

  test('apply makes the changes; a second apply and a check run report changed=0', async () => {
    const args = [join(dir, 'modules.yml'), '-i', lab.inventory, ...vars];
    const r = await applyJson(args);
    assert.is(r.code, 0, r.stderr + JSON.stringify(r.run, null, 1));
    assert.equal(withStatus(r.run, 'changed'), MODULE_TASKS.flatMap((t) => HOSTS.map((h) => `${t} @ ${h}`)).sort());
    for (const h of HOSTS) {
      const out = (
        await sh(
          lab,
          h,
          [
            'cat /srv/fm/app.conf /srv/fm/sysctl.conf',
            'stat -c "%a %U %n" /srv/fm/app.conf /srv/fm/got.conf /srv/fm/tools/release/VERSION',
            'sha256sum /srv/fm/big.bin | cut -d" " -f1',
            'cat /srv/fm/app/release/VERSION; /srv/fm/app/release/bin/run',
            'ls -A /srv/fm/app; ls -A /srv/fm',
          ].join('; '),
        )
      ).out;
      assert.is(
        out,
        `${APP_CONF}net.core.somaxconn = 1024\nvm.swappiness = 60\n` +
          '640 root /srv/fm/app.conf\n600 root /srv/fm/got.conf\n750 root /srv/fm/tools/release/VERSION\n' +
          `${bigSum}\n1.4\nrun\nrelease\napp\napp.conf\nbig.bin\ngot.conf\npub\nsysctl.conf\ntools\n`,
        `on ${h}: no temp file left, every file as Ansible's modules leave it`,
      );
    }
    const again = await applyJson(args);
    assert.is(again.code, 0, again.stderr);
    for (const h of HOSTS) assert.is(again.run.stats[h].changed, 0, JSON.stringify(withStatus(again.run, 'changed')));
    const check = await applyJson([...args, '--check', '--diff']);
    assert.is(check.code, 0, check.stderr);
    for (const h of HOSTS) assert.is(check.run.stats[h].changed, 0, JSON.stringify(withStatus(check.run, 'changed')));
  });

  test('a changed source is fetched again; a wrong checksum fails before dest is touched', async () => {
    writeFileSync(
      join(dir, 'refetch.yml'),
      `- hosts: h1
  gather_facts: false
  tasks:
    - name: refetch
      get_url: { url: "file:///srv/fm/pub/src.conf", dest: /srv/fm/got.conf }
    - name: wrong checksum
      get_url: { url: "file:///srv/fm/pub/new.conf", dest: /srv/fm/got.conf, checksum: "sha1:${'0'.repeat(40)}", force: true }
`,
    );
    await sh(lab, 'h1', 'echo port=81 > /srv/fm/pub/src.conf; echo port=82 > /srv/fm/pub/new.conf');
    const r = await applyJson([join(dir, 'refetch.yml'), '-i', lab.inventory, '--diff']);
    const t = (name: string) => r.run.plays[0].tasks.find((x) => x.name === name)!.hosts.h1;
    assert.is(t('refetch').status, 'changed');
    assert.equal(t('refetch').diff![0], {
      path: '/srv/fm/got.conf',
      before: 'listen=0.0.0.0\nport=80\n',
      after: 'port=81\n',
    });
    assert.is(t('wrong checksum').status, 'failed');
    assert.match(
      t('wrong checksum').msg ?? '',
      /^The checksum for \/srv\/fm\/got\.conf did not match 0{40}; it was [0-9a-f]{40}\.$/,
    );
    assert.is(
      (await sh(lab, 'h1', 'cat /srv/fm/got.conf; ls -A /srv/fm | grep -c lbprov || true')).out,
      'port=81\n0\n',
    );
  });
}

test.run();
