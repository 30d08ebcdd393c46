import { Type, type SchemaOptions, type Static, type TObject, type TOptional, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * Helpers for declaring a module's arguments once, with TypeBox: the declaration is the JSON schema
 * ajv validates (and coerce.ts converts against) and, through `ArgsOf`, the type `plan` gets. They
 * write the schema shapes the error messages of schema.ts are tuned for: `enum` (not TypeBox's
 * anyOf of literals, which would report every branch) and `type: [...]` lists (not anyOf).
 */

/** An argument with a default: optional to the user, always present once ajv has filled it in. */
export type TDefaulted<T extends TSchema> = TOptional<T> & { default: Static<T> };

/** `schema` with a default `value`, which must itself be of the schema's type. */
export function Default<T extends TSchema>(schema: T, value: Static<T>): TDefaulted<T> {
  return Type.Optional({ ...schema, default: value }) as TDefaulted<T>;
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
export function AnyOfTypes<const K extends ReadonlyArray<keyof JsonTypes>>(types: K, options: SchemaOptions = {}): TUnsafe<JsonTypes[K[number]]> {
  return Type.Unsafe<JsonTypes[K[number]]>({ ...options, type: [...types] });
}

type DefaultedKeys<P extends TProperties> = { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P];

/** The arguments a module's `plan` gets: the schema's type, with every defaulted argument present. */
export type ArgsOf<S extends TObject> = Static<S> & { [K in DefaultedKeys<S['properties']>]-?: Static<S['properties'][K]> };
