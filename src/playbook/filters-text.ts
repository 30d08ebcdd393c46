import {
  Document,
  isMap,
  isScalar,
  isSeq,
  parse as parseYaml,
  visit,
  type Node,
  type ScalarTag,
  type Tags,
} from 'yaml';
import { FilterError, pyStr } from './filters-python.js';

/** Text filters that Ansible takes from Python: base64, os.path, str.split, shlex.quote, PyYAML. */

/** Python codec names as Node's Buffer spells them. */
function encoding(name: unknown): BufferEncoding {
  const n = pyStr(name).toLowerCase().replace(/_/g, '-');
  if (['utf-8', 'utf8'].includes(n)) return 'utf8';
  if (['utf-16-le', 'utf-16le', 'utf16le'].includes(n)) return 'utf16le';
  if (['latin-1', 'latin1', 'iso-8859-1'].includes(n)) return 'latin1';
  if (n === 'ascii') return 'ascii';
  throw new FilterError(`unknown encoding: ${pyStr(name)} (lbprov knows utf-8, utf-16-le, latin-1, ascii)`);
}

export function b64encode(v: unknown, enc: unknown): string {
  return Buffer.from(pyStr(v), encoding(enc)).toString('base64');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Python's base64.b64decode (binascii, not strict): other characters are skipped, a complete pad ends the data, a missing one is an error. */
export function b64decode(v: unknown, enc: unknown): string {
  const s = pyStr(v);
  const out: number[] = [];
  let quad = 0;
  let left = 0;
  let pads = 0;
  for (const ch of s) {
    if (ch === '=') {
      if (quad >= 2 && quad + ++pads >= 4) return Buffer.from(out).toString(encoding(enc));
      continue;
    }
    const d = B64.indexOf(ch);
    if (d < 0) continue;
    pads = 0;
    if (quad === 0) left = d;
    else if (quad === 1) {
      out.push(((left << 2) | (d >> 4)) & 0xff);
      left = d & 0x0f;
    } else if (quad === 2) {
      out.push(((left << 4) | (d >> 2)) & 0xff);
      left = d & 0x03;
    } else out.push(((left << 6) | d) & 0xff);
    quad = (quad + 1) % 4;
  }
  if (quad === 1)
    throw new FilterError(
      `Invalid base64-encoded string: number of data characters (${(out.length / 3) * 4 + 1}) cannot be 1 more than a multiple of 4`,
    );
  if (quad !== 0) throw new FilterError('Incorrect padding');
  return Buffer.from(out).toString(encoding(enc));
}

function pathArg(v: unknown, filter: string): string {
  if (typeof v !== 'string')
    throw new FilterError(
      `${filter}: expected str, bytes or os.PathLike object, not ${v === null ? 'NoneType' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'dict' : typeof v === 'number' ? 'int' : typeof v}`,
    );
  return v;
}

/** os.path.basename: what follows the last slash ('' for a path ending in one). */
export function basename(v: unknown): string {
  const p = pathArg(v, 'basename');
  return p.slice(p.lastIndexOf('/') + 1);
}

/** os.path.dirname: up to the last slash, trailing slashes dropped unless it is all slashes. */
export function dirname(v: unknown): string {
  const p = pathArg(v, 'dirname');
  const head = p.slice(0, p.lastIndexOf('/') + 1);
  return head && !/^\/+$/.test(head) ? head.replace(/\/+$/, '') : head;
}

/** str.split(sep=None, maxsplit=-1): without sep, runs of whitespace split and the ends are trimmed. */
export function split(v: unknown, sep: unknown, maxsplit: unknown): string[] {
  const s = pyStr(v);
  let max = Number(maxsplit ?? -1);
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest) {
      if (max === 0) {
        out.push(rest.replace(/\s+$/, ''));
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
      max--;
    }
    return out;
  }
  const d = pyStr(sep);
  if (!d) throw new FilterError('empty separator');
  const parts = s.split(d);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(d)];
}

/** shlex.quote: safe words as they are, anything else in single quotes. */
export function quote(v: unknown): string {
  const s = v === null || v === undefined ? '' : pyStr(v);
  if (!s) return "''";
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

const BOOL = 'tag:yaml.org,2002:bool';
const pyBool = (value: boolean, test: RegExp): ScalarTag => ({
  tag: BOOL,
  default: true,
  test,
  resolve: () => value,
  identify: (v) => v === value,
  stringify: () => String(value),
});
/** PyYAML's booleans (resolver.py): yes/no/true/false/on/off; `y` and `n` are strings, written without quotes. */
const pyYamlBools = (tags: Tags): Tags => [
  ...tags.filter((t) => (t as ScalarTag).tag !== BOOL),
  pyBool(true, /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/),
  pyBool(false, /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/),
];

/**
 * yaml.dump as Ansible's to_yaml/to_nice_yaml call it: keys sorted, sequences not indented under
 * their key, and (default_flow_style None) a collection of scalars only written inline.
 */
export function toYaml(
  v: unknown,
  o: { indent: unknown; sortKeys: unknown; flowStyle: unknown; width: unknown },
): string {
  const doc = new Document(v, { version: '1.1', sortMapEntries: Boolean(o.sortKeys), customTags: pyYamlBools });
  const inline = (n: Node): boolean => {
    if (o.flowStyle === true) return true;
    if (o.flowStyle === false) return false;
    const items = isMap(n) ? n.items.flatMap((p) => [p.key, p.value]) : isSeq(n) ? n.items : [];
    return items.every((x) => isScalar(x));
  };
  visit(doc, {
    Map: (_k, n) => void (n.flow = n.items.length === 0 || inline(n)),
    Seq: (_k, n) => void (n.flow = n.items.length === 0 || inline(n)),
  });
  return doc.toString({
    indent: Number(o.indent ?? 2),
    indentSeq: false,
    lineWidth: Number(o.width ?? 80),
    flowCollectionPadding: false,
    singleQuote: true,
    nullStr: 'null',
    trueStr: 'true',
    falseStr: 'false',
  });
}

/** yaml.safe_load with YAML 1.1 (yes/no are booleans), as Ansible's from_yaml. */
export function fromYaml(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return parseYaml(v, { version: '1.1', maxAliasCount: 1000 });
  } catch (e) {
    throw new FilterError(`from_yaml: ${(e as Error).message.split('\n')[0]}`);
  }
}
