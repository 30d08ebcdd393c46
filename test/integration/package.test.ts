import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { LabState } from '../../src/lab/lab.js';
import { packageRoot } from '../../src/util/paths.js';
import { applyJson, withStatus } from '../helpers/cli.js';
import { buildDeb, debToolsMissing } from '../helpers/deb.js';
import { labMissing, sharedLab } from '../helpers/lab.js';
import { sh } from '../helpers/remote.js';
import { requireRoot } from '../helpers/skip.js';

/** The package module installing and removing a real .deb (built here with dpkg-deb) on lab hosts. */
const test = suite('package module on the lab');
const pb = join(packageRoot, 'test', 'fixtures', 'playbooks', 'package-lab.yml');
const HOSTS = ['h1', 'h2', 'h3'];
let lab: LabState;
let vars: string[] = [];

if (requireRoot('package module on the lab', [...labMissing(), ...debToolsMissing()])) {
  test.before(async () => {
    lab = await sharedLab(3);
    const { deb, packages } = buildDeb();
    vars = ['-e', `deb_file=${deb}`, '-e', `packages_file=${packages}`];
  });

  test('check mode lists the install; apply installs on every host; a second apply changes nothing', async () => {
    const args = [pb, '-i', lab.inventory, ...vars, '-e', 'pkg_state=present'];
    const predicted = await applyJson([...args, '--check', '--diff']);
    assert.is(predicted.code, 0, predicted.stderr);
    const p = predicted.run.plays[0].tasks.find((t) => t.name === 'the package')!.hosts.h2;
    assert.is(p.status, 'changed');
    assert.is(p.msg, 'install lbprov-testpkg');
    assert.equal([p.diff![0].before, p.diff![0].after], ['lbprov-testpkg: absent\n', 'lbprov-testpkg: installed\n']);
    const setup = await applyJson(args);
    assert.equal(
      withStatus(setup.run, 'changed').filter((x) => x.startsWith('the package')),
      HOSTS.map((h) => `the package @ ${h}`),
    );
    assert.is(setup.code, 0, setup.stderr + JSON.stringify(setup.run, null, 1));
    for (const h of HOSTS) {
      const out = (
        await sh(
          lab,
          h,
          "dpkg-query -W -f '${Status} ${Version}' lbprov-testpkg; cat /usr/share/lbprov-testpkg/hello.txt",
        )
      ).out;
      assert.is(out, 'install ok installed 1.0installed by lbprov\n');
    }
    const again = await applyJson(args);
    for (const h of HOSTS) assert.is(again.run.stats[h].changed, 0);
    const check = await applyJson([...args.slice(0, -1), 'pkg_state=absent', '--check', '--diff']);
    assert.equal(
      withStatus(check.run, 'changed'),
      HOSTS.map((h) => `the package @ ${h}`),
    );
    const d = check.run.plays[0].tasks.find((t) => t.name === 'the package')!.hosts.h1.diff![0];
    assert.equal([d.before, d.after], ['lbprov-testpkg: 1.0\n', 'lbprov-testpkg: absent\n']);
    assert.match(
      (await sh(lab, 'h1', "dpkg-query -W -f '${Status}' lbprov-testpkg")).out,
      /install ok installed/,
      'check mode removed nothing',
    );
  });

  test('state absent removes it, and a second run is a no-op', async () => {
    const args = [pb, '-i', lab.inventory, ...vars, '-e', 'pkg_state=absent'];
    const r = await applyJson(args);
    assert.is(r.code, 0, r.stderr);
    assert.equal(
      withStatus(r.run, 'changed'),
      HOSTS.map((h) => `the package @ ${h}`),
    );
    for (const h of HOSTS) {
      const q = await sh(lab, h, "dpkg-query -W -f '${Status}' lbprov-testpkg", true);
      assert.not.match(q.out, /install ok installed/);
      assert.is((await sh(lab, h, 'test -e /usr/share/lbprov-testpkg/hello.txt', true)).rc, 1);
    }
    const again = await applyJson(args);
    for (const h of HOSTS) assert.is(again.run.stats[h].changed, 0);
  });
}

test.run();
