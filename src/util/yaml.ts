import { readFileSync } from 'node:fs';
import {
  Composer,
  LineCounter,
  Parser,
  isAlias,
  isMap,
  isSeq,
  isPair,
  isScalar,
  isCollection,
  type CST,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
  type ScalarTag,
  type Tags,
} from 'yaml';
import { InputError, type InputProblem, type Pos } from './errors.js';
import { checkUtf8 } from './utf8.js';
import { openVaultFile, vaultTags } from '../vault/keyring.js';
import { markSecret } from '../vault/redact.js';

export type PathSeg = string | number;

/**
 * Limits on what a YAML file may make lbprov build, so that a hostile file ends in an input error
 * (exit 5) instead of a stack overflow, an out-of-memory crash or a hang. Nesting: every walker of
 * loaded data (templates, schemas, clones) recurses, and real playbooks nest about 10 deep.
 * Aliases: the library shares the node an alias points to, but everything after loading walks
 * the expanded tree, so a billion-laughs file must be refused by its expanded size.
 */
export const YAML_LIMITS = { maxDepth: 200, maxAliasNodes: 100_000 };

/**
 * A YAML file loaded as plain data, keeping the way back to line and column for any path in it,
 * so that every error can name `file:line:col`. YAML 1.1, as Ansible reads it (`yes` is true).
 */
export class SourceDoc {
  private constructor(
    readonly file: string,
    readonly value: unknown,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static parse(file: string, text: string): SourceDoc {
    // a leading byte-order mark is no content (the library trips on one before a block list)
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    const lines = new LineCounter();
    const at = (offset: number): Pos => posAt(file, lines, offset);
    const bad = NON_PRINTABLE.exec(text);
    if (bad) {
      const before = text.slice(0, bad.index);
      const line = before.split('\n').length;
      const col = bad.index - before.lastIndexOf('\n');
      const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new InputError(
        `YAML: the control character U+${code} is not allowed in a YAML file (write it escaped in a double-quoted string)`,
        { file, line, col },
      );
    }
    const tokens = [...new Parser(lines.addNewLine).parse(text)];
    // the composer recurses once per level: refuse deep nesting before it runs
    checkDepth(tokens, at);
    let doc: Document.Parsed | undefined;
    const extra: InputProblem[] = [];
    // uniqueKeys off: the library compares every key with every other (10,000 keys took seconds); checked below in linear time
    const composer = new Composer({
      version: '1.1',
      prettyErrors: false,
      uniqueKeys: false,
      customTags: (tags) => [...asPyYaml(tags), ...vaultTags],
    });
    for (const d of composer.compose(tokens, true, text.length)) {
      if (!doc) doc = d;
      else if (!extra.length)
        extra.push({ pos: at(d.range[0]), message: 'YAML: a file holds one document (this is a second one)' });
    }
    // an unknown tag (!!python/object/apply, !foo) is refused, as PyYAML's safe loader does, not read as a string
    const unknownTags = doc!.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED');
    const problems = [
      ...[...doc!.errors, ...unknownTags].map((e) => ({
        pos: at(e.pos[0]),
        message: `YAML: ${e.message.split('\n')[0]}`,
      })),
      ...extra,
    ];
    if (problems.length) throw new InputError(problems);
    checkAliasesAndKeys(doc!, at);
    let value: unknown;
    try {
      // sizes were checked above; the library's own alias count would refuse harmless files
      value = doc!.toJS({ maxAliasCount: -1 });
    } catch (e) {
      throw new InputError(`YAML: ${(e as Error).message.split('\n')[0]}`, at(0));
    }
    return new SourceDoc(file, value, doc!, lines);
  }

  static load(file: string): SourceDoc {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    // a whole file encrypted with ansible-vault: parsed decrypted, every value in it a secret
    const vault = openVaultFile(file, checkUtf8(file, bytes));
    const doc = SourceDoc.parse(file, vault.text);
    if (vault.encrypted) markSecret(doc.value);
    return doc;
  }

  /** Where the value at `path` starts (or its key, for `which = 'key'`); the nearest ancestor if absent. */
  pos(path: readonly PathSeg[], which: 'key' | 'value' = 'value'): Pos {
    let node: unknown = this.doc.contents;
    let best = this.rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = this.pairs(node).get(String(seg));
        if (!pair) break;
        if (last && which === 'key') {
          best = this.rangeStart(pair.key) ?? best;
          break;
        }
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
      } else break;
      best = this.rangeStart(node) ?? best;
    }
    return posAt(this.file, this.lines, best);
  }

  private readonly index = new WeakMap<object, Map<string, Pair>>();

  /** A mapping's pairs by key, built once: an inventory with 100,000 hosts may have as many errors to place. */
  private pairs(map: YAMLMap): Map<string, Pair> {
    let m = this.index.get(map);
    if (!m) {
      m = new Map();
      for (const p of map.items) {
        const k = isPair(p) ? keyOf(p.key) : undefined;
        if (k !== undefined && !m.has(k)) m.set(k, p);
      }
      this.index.set(map, m);
    }
    return m;
  }

  private rangeStart(node: unknown): number | undefined {
    return (node as Node | undefined)?.range?.[0];
  }
}

/**
 * The `yaml` library's YAML 1.1 schema, made to resolve plain scalars as PyYAML (and so Ansible)
 * does (yaml/resolver.py): `y`, `n`, `Y`, `N` stay strings (only yes/no/true/false/on/off are
 * booleans), an exponent needs a dot and a signed exponent (`1e3` is a string, `1.0e+3` a float),
 * and a decimal int has no leading zero (`09` is a string; `0777` is still octal 511).
 */
const BOOL = 'tag:yaml.org,2002:bool';
const pyBool = (value: boolean, test: RegExp): ScalarTag => ({
  tag: BOOL,
  default: true,
  test,
  resolve: () => value,
  identify: (v) => v === value,
  stringify: () => (value ? 'true' : 'false'),
});
function asPyYaml(tags: Tags): Tags {
  const out: Tags = [];
  for (const t of tags) {
    const tag = t as ScalarTag;
    if (tag.tag === BOOL) continue;
    if (tag.tag === 'tag:yaml.org,2002:float' && tag.format === 'EXP') {
      out.push({ ...tag, test: /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)[eE][-+][0-9]+$/ });
    } else if (tag.tag === 'tag:yaml.org,2002:int' && !tag.format) {
      out.push({ ...tag, test: /^[-+]?(?:0|[1-9][0-9_]*)$/ });
    } else out.push(t);
  }
  out.push(
    pyBool(true, /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/),
    pyBool(false, /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/),
  );
  return out;
}

/** What YAML (and PyYAML) accepts in a stream: printable characters, tab, line breaks. */
// eslint-disable-next-line no-control-regex -- the control characters YAML allows are the point of this class
const NON_PRINTABLE = /[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Nesting depth of the syntax tree, walked without recursion (the tree may be 100,000 deep). */
function checkDepth(tokens: CST.Token[], at: (offset: number) => Pos): void {
  const stack: Array<[CST.Token, number]> = tokens.map((t) => [t, 0]);
  while (stack.length) {
    const [t, depth] = stack.pop()!;
    if (depth > YAML_LIMITS.maxDepth) {
      throw new InputError(`YAML: nested more than ${YAML_LIMITS.maxDepth} levels deep`, at(t.offset));
    }
    if (t.type === 'document' && t.value) stack.push([t.value, depth]);
    else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      for (const item of t.items) {
        if ('key' in item && item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
}

/**
 * Every alias must name an anchor before it and must not sit inside what it names (a cycle); the
 * tree with aliases expanded must stay within the limits; mapping keys must be scalars (PyYAML,
 * and so Ansible, refuses a list or mapping as a key). The tree's depth is bounded already.
 */
function checkAliasesAndKeys(doc: Document.Parsed, at: (offset: number) => Pos): void {
  const anchors = new Map<string, Node>();
  const target = new Map<Node, Node>();
  const size = new Map<Node, number>();
  const height = new Map<Node, number>();
  const open = new Set<Node>();
  let added = 0;
  const offset = (n: unknown): number => (n as Node | undefined)?.range?.[0] ?? 0;

  const duplicates: InputProblem[] = [];
  // document order: an alias refers to the last anchor of its name before it
  const index = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (isAlias(n)) {
      const t = anchors.get(n.source);
      if (!t) throw new InputError(`YAML: alias *${n.source} has no anchor &${n.source} before it`, at(offset(n)));
      target.set(n, t);
      return;
    }
    const node = n as Node;
    if (node.anchor) anchors.set(node.anchor, node);
    if (isCollection(node)) {
      const keys = isMap(node) ? new Set<unknown>() : undefined;
      for (const item of node.items) {
        if (isPair(item)) {
          if (keys && isScalar(item.key)) {
            const k = item.key.value;
            if (keys.has(k))
              duplicates.push({
                pos: at(offset(item.key)),
                message: `YAML: duplicate key "${String(k)}" (map keys must be unique)`,
              });
            keys.add(k);
          }
          index(item.key);
          index(item.value);
          const k = isAlias(item.key) ? target.get(item.key) : item.key;
          if (isCollection(k))
            throw new InputError(
              'YAML: a mapping key must be a plain value, not a list or mapping',
              at(offset(item.key)),
            );
        } else index(item);
      }
    }
  };
  index(doc.contents);
  if (duplicates.length) throw new InputError(duplicates);

  // expanded size and height, memoized per node; an alias costs what it points to
  const measure = (n: unknown, depth: number): [number, number] => {
    if (!n || typeof n !== 'object') return [0, 0];
    if (isAlias(n)) {
      const t = target.get(n)!;
      if (open.has(t))
        throw new InputError(`YAML: alias *${n.source} is inside its own anchor (a cycle)`, at(offset(n)));
      const [s, h] = measure(t, depth);
      added += s;
      if (added > YAML_LIMITS.maxAliasNodes) {
        throw new InputError(
          `YAML: aliases expand to more than ${YAML_LIMITS.maxAliasNodes} values (an alias bomb?)`,
          at(offset(n)),
        );
      }
      return [s, h];
    }
    const node = n as Node;
    const known = size.get(node);
    if (known !== undefined) {
      if (depth + height.get(node)! > YAML_LIMITS.maxDepth)
        throw new InputError(
          `YAML: nested more than ${YAML_LIMITS.maxDepth} levels deep (with aliases expanded)`,
          at(offset(node)),
        );
      return [known, height.get(node)!];
    }
    if (depth > YAML_LIMITS.maxDepth)
      throw new InputError(
        `YAML: nested more than ${YAML_LIMITS.maxDepth} levels deep (with aliases expanded)`,
        at(offset(node)),
      );
    let s = 1;
    let h = 0;
    if (isCollection(node)) {
      open.add(node);
      for (const item of node.items) {
        for (const part of isPair(item) ? [item.key, item.value] : [item]) {
          const [cs, ch] = measure(part, depth + 1);
          s += cs;
          h = Math.max(h, ch + 1);
        }
      }
      open.delete(node);
    }
    size.set(node, s);
    height.set(node, h);
    return [s, h];
  };
  measure(doc.contents, 0);
}

function keyOf(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function posAt(file: string, lines: LineCounter, offset: number): Pos {
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}
