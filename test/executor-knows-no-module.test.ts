import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { MODULES } from '../modules/index.js';
import { packageRoot } from '../src/util/paths.js';

/**
 * The executor and the loader know no module: what a module needs from them is a field of its
 * definition or of its plan (showsMsg, expressionArgs, localSrc, shell). This reads every source
 * file of src/executor/ and src/playbook/ and fails on a registered module name (or alias) used to
 * single out a module: compared with `===`, a `case` label, an argument of a call such as
 * MODULES.get('debug'), an element of a list (['copy', ...].includes), or an import of one
 * module's file. The Read/Step/stat vocabulary shares words with modules ('file'): a comparison
 * with a `.kind`, `.type` or `.op` is not about a module.
 */
const names = new Set(MODULES.keys());
const VOCABULARY = /\.(kind|type|op)$/;
/** Calls whose string arguments are not module names: connection variables (`user` is ansible_user, not the user module). */
const CALL_VOCABULARY = /^connVar$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function offences(file: string, text = readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const where = (n: ts.Node): string => {
    const { line, character } = sf.getLineAndCharacterOfPosition(n.getStart());
    return `${relative(packageRoot, file)}:${line + 1}:${character + 1}`;
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const m = /\/modules\/([^/]+)\.js$/.exec(n.moduleSpecifier.text);
      if (m && m[1] !== 'index') out.push(`${where(n)}: imports the module ${m[1]}`);
    } else if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && names.has(n.text)) {
      const p = n.parent;
      const compared =
        ts.isBinaryExpression(p) &&
        [
          ts.SyntaxKind.EqualsEqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsEqualsToken,
          ts.SyntaxKind.EqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsToken,
        ].includes(p.operatorToken.kind) &&
        !VOCABULARY.test((p.left === n ? p.right : p.left).getText(sf));
      const singled =
        compared ||
        ts.isCaseClause(p) ||
        (ts.isCallExpression(p) && p.arguments.includes(n) && !CALL_VOCABULARY.test(p.expression.getText(sf))) ||
        ts.isArrayLiteralExpression(p);
      if (singled) out.push(`${where(n)}: ${n.getText(sf)} singles out a module: ${p.getText(sf).slice(0, 100)}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

test('no module name singles out a module in src/executor/ or src/playbook/', () => {
  // the filters' own arguments share words with modules (combine's list_merge='replace'), and so do
  // loop_control's keys (its `pause`): not modules
  const files = ['executor', 'playbook']
    .flatMap((d) => sources(join(packageRoot, 'src', d)))
    .filter((f) => !/[\\/](filters|loop)[^\\/]*\.ts$/.test(f));
  assert.ok(files.length > 10, 'the sources were found');
  assert.equal(
    files.flatMap((f) => offences(f)),
    [],
  );
});

test('the check finds what it looks for', () => {
  // the same check over code that does what the executor and the loader once did
  const sample = [
    "import { parseShow } from '../../modules/systemd.js';",
    "const shown = task.module === 'debug' ? r.msg : undefined;",
    "if (def.name === 'assert') checkExpressions(args.that);",
    "const kind = ['copy', 'bpf_program'].includes(def.name) ? 'files' : undefined;",
    "switch (def.name) { case 'template': break; }",
    "const stdout = r.kind === 'file' ? rest : none;",
    "const who = connVar(vars, 'user');",
    "const probe = MODULES.get('user');",
  ].join('\n');
  const found = offences(join(packageRoot, 'src', 'executor', 'sample.ts'), sample).join('\n');
  for (const what of [
    "'debug' singles out",
    "'assert' singles out",
    "'copy' singles out",
    "'template' singles out",
    'imports the module systemd',
    "'user' singles out a module: MODULES.get('user')",
  ])
    assert.ok(found.includes(what), `${what} in:\n${found}`);
  assert.not.ok(found.includes("'file'"), 'a Read kind is not a module');
  assert.not.ok(found.includes('connVar'), 'a connection variable is not a module');
});

test.run();
