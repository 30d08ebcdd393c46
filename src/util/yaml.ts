import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node, type ScalarTag, type Tags } from 'yaml';
import { InputError, type Pos } from './errors.js';

export type PathSeg = string | number;

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
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, version: '1.1', prettyErrors: false, uniqueKeys: true, customTags: asPyYaml });
    if (doc.errors.length) {
      throw new InputError(
        doc.errors.map((e) => ({ pos: posAt(file, lines, e.pos[0]), message: `YAML: ${e.message.split('\n')[0]}` })),
      );
    }
    return new SourceDoc(file, doc.toJS({ maxAliasCount: 1000 }), doc, lines);
  }

  static load(file: string): SourceDoc {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    return SourceDoc.parse(file, text);
  }

  /** Where the value at `path` starts (or its key, for `which = 'key'`); the nearest ancestor if absent. */
  pos(path: readonly PathSeg[], which: 'key' | 'value' = 'value'): Pos {
    let node: unknown = this.doc.contents;
    let best = this.rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyOf(p.key) === String(seg));
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
  tag: BOOL, default: true, test, resolve: () => value, identify: (v) => v === value, stringify: () => (value ? 'true' : 'false'),
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
  out.push(pyBool(true, /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/), pyBool(false, /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/));
  return out;
}

function keyOf(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function posAt(file: string, lines: LineCounter, offset: number): Pos {
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}
