import type {
  SchemaOptions,
  Static,
  TArray,
  TBoolean,
  TInteger,
  TNumber,
  TObject,
  TOptional,
  TProperties,
  TSchema,
  TString,
  TUnion,
  TUnknown,
  TUnsafe,
} from '@sinclair/typebox';

/**
 * Helpers for declaring a module's arguments once, with TypeBox: the declaration is the JSON schema
 * ajv validates (and coerce.ts converts against) and, through `ArgsOf`, the type `plan` gets. They
 * write the schema shapes the error messages of schema.ts are tuned for: `enum` (not TypeBox's
 * anyOf of literals, which would report every branch) and `type: [...]` lists (not anyOf).
 */

// TypeBox's types, with the few builders the modules use written here: loading TypeBox's runtime
// (266 files) cost every lbprov start ~80 ms of CPU. These build the same schemas, TypeBox's
// symbols included (Symbol.for): the objects TypeBox's own builders would make.
const Kind = Symbol.for('TypeBox.Kind');
const OptionalKind = Symbol.for('TypeBox.Optional');
const make = <T extends TSchema>(kind: string, schema: object): T => ({ ...schema, [Kind]: kind }) as unknown as T;

export const Type = {
  String: (options: SchemaOptions = {}): TString => make('String', { ...options, type: 'string' }),
  Integer: (options: SchemaOptions = {}): TInteger => make('Integer', { ...options, type: 'integer' }),
  Number: (options: SchemaOptions = {}): TNumber => make('Number', { ...options, type: 'number' }),
  Boolean: (options: SchemaOptions = {}): TBoolean => make('Boolean', { ...options, type: 'boolean' }),
  Unknown: (options: SchemaOptions = {}): TUnknown => make('Unknown', { ...options }),
  Unsafe: <T>(options: SchemaOptions = {}): TUnsafe<T> => make('Unsafe', { ...options }),
  Array: <T extends TSchema>(items: T, options: SchemaOptions = {}): TArray<T> =>
    make('Array', { ...options, type: 'array', items }),
  Union: <T extends TSchema[]>(anyOf: [...T], options: SchemaOptions = {}): TUnion<T> =>
    make('Union', { ...options, anyOf }),
  Optional: <T extends TSchema>(schema: T): TOptional<T> => ({ ...schema, [OptionalKind]: 'Optional' }) as TOptional<T>,
  Object: <P extends TProperties>(properties: P, options: SchemaOptions = {}): TObject<P> => {
    const required = Object.keys(properties).filter((k) => !(OptionalKind in properties[k]));
    return make('Object', { ...options, type: 'object', properties, ...(required.length ? { required } : {}) });
  },
};

/** An argument with a default: optional to the user, always present once ajv has filled it in. */
export type TDefaulted<T extends TSchema> = TOptional<T> & { default: Static<T> };

/** `schema` with a default `value`, which must itself be of the schema's type. */
export function Default<T extends TSchema>(schema: T, value: Static<T>): TDefaulted<T> {
  return Type.Optional({ ...schema, default: value });
}

/** One of fixed strings, as JSON Schema `enum` (the message names the choices). */
export function Choice<const V extends readonly string[]>(values: V, options: SchemaOptions = {}): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ ...options, enum: [...values] });
}

interface JsonTypes {
  string: string;
  integer: number;
  number: number;
  boolean: boolean;
}

/** A value of any of these JSON types, as one `type: [...]` (one message, and coerce.ts converts to the first that fits). */
export function AnyOfTypes<const K extends ReadonlyArray<keyof JsonTypes>>(
  types: K,
  options: SchemaOptions = {},
): TUnsafe<JsonTypes[K[number]]> {
  return Type.Unsafe<JsonTypes[K[number]]>({ ...options, type: [...types] });
}

type DefaultedKeys<P extends TProperties> = { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P];

/** The arguments a module's `plan` gets: the schema's type, with every defaulted argument present. */
export type ArgsOf<S extends TObject> = Static<S> & {
  [K in DefaultedKeys<S['properties']>]-?: Static<S['properties'][K]>;
};
