// Junk shaped by a zod schema: each field gets a value of roughly its kind (so some inputs pass the schema and reach the
// handler) or anything at all (so the dispatcher's refusals are exercised), with stray keys now and then.
import fc from 'fast-check';
import type { z } from 'zod';

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType; element?: z.ZodType; options?: z.ZodType[];
  entries?: Record<string, unknown>; values?: unknown[]; valueType?: z.ZodType; getter?: () => z.ZodType; left?: z.ZodType; right?: z.ZodType };

const edgeStrings = fc.constantFrom('', ' ', 'a'.repeat(5000), '\u0000', '../../etc/passwd', '<script>', '2026-01-01T00:00:00Z', 'rtsp://127.0.0.1:1/x', '💥');
const edgeNumbers = fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, Number.MIN_VALUE, 0.5);

export function junkFor(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  const anything = fc.jsonValue({ maxDepth: 2 });
  const typed = ((): fc.Arbitrary<unknown> => {
    switch (def.type) {
      case 'object': {
        if (depth > 4) return fc.constant({});
        const fields = Object.fromEntries(Object.entries(def.shape ?? {}).map(([k, v]) => [k, junkFor(v, depth + 1)]));
        return fc.tuple(fc.record(fields, { requiredKeys: [] }), fc.option(fc.dictionary(fc.string({ maxLength: 8 }), anything, { maxKeys: 2 }), { freq: 5 }))
          .map(([r, extra]) => ({ ...r, ...extra }));
      }
      case 'optional': case 'nullable': case 'default': case 'prefault': case 'readonly': case 'catch': case 'nonoptional':
        return junkFor(def.innerType!, depth);
      case 'pipe': return junkFor(def.in!, depth);
      case 'lazy': return depth > 4 ? fc.constant(null) : junkFor(def.getter!(), depth + 1);
      case 'string': return fc.oneof(fc.string({ maxLength: 30 }), edgeStrings);
      case 'number': case 'int': return fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), edgeNumbers);
      case 'boolean': return fc.boolean();
      case 'enum': return fc.constantFrom(...Object.values(def.entries ?? { x: 'x' }));
      case 'literal': return fc.constantFrom(...(def.values ?? [null]));
      case 'array': return depth > 4 ? fc.constant([]) : fc.array(junkFor(def.element!, depth + 1), { maxLength: 4 });
      case 'union': return fc.oneof(...(def.options ?? []).map((o) => junkFor(o, depth + 1)));
      case 'intersection': return fc.tuple(junkFor(def.left!, depth + 1), junkFor(def.right!, depth + 1))
        .map(([a, b]) => (typeof a === 'object' && typeof b === 'object' ? { ...(a as object), ...(b as object) } : a));
      case 'record': return fc.dictionary(fc.string({ maxLength: 8 }), junkFor(def.valueType!, depth + 1), { maxKeys: 3 });
      default: return anything;
    }
  })();
  return fc.oneof({ arbitrary: typed, weight: 6 }, { arbitrary: anything, weight: 1 });
}
