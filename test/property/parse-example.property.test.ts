/**
 * Property test of parseExample against TF's rules (tf-training.md §10.1-10.4), on random
 * batches of Examples written by tf.io.serializeExample and random feature configs.
 *
 * The model, per record b in batch order (the first failing record's error is the op's error):
 *  - features not in the config are ignored; a present feature whose list kind differs from its
 *    config's dtype fails with "Data types don't match" (dense: "Data type: X but expected type:
 *    Y", sparse: "Expected type: Y, Actual type: X"); a dense list whose length is not prod(shape)
 *    fails with "Number of T values != expected.  Values size: n but output shape: [..]". Present
 *    features are checked from the last on the wire to the first.
 *  - then, in sorted key order, a dense feature that is absent and has no default fails with
 *    "… is required but could not be found."; one with a default takes it.
 *  - otherwise dense row b holds the values (floats rounded to float32, int64 exact), and a
 *    VarLenFeature's values follow in (record, position) order with dense_shape [B, longest].
 * A failure prints the seed and path; replay with TFCLUSTER_PROPERTY_SEED / _PATH.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import "../../src/engine/kernels/parse-example.js";
import { FixedLenFeature, VarLenFeature } from "../../src/graph/ops/parse-features.js";
import type { Feature } from "../../src/graph/ops/parse-features.js";
import { parseExample, SparseTensor } from "../../src/graph/ops/parsing-example.js";
import type { Tensor } from "../../src/graph/tensor.js";
import { serializeExample } from "../../src/io/serialize-example.js";
import type { FeatureSpec } from "../../src/io/serialize-example.js";
import type { DType } from "../../src/tensor/dtypes.js";
import { NDArray } from "../../src/tensor/ndarray.js";
import { evaluate, inGraph } from "../unit/engine/kernels/harness.js";

type Kind = "float32" | "int64" | "string";
type Value = number | bigint | string;
const KINDS: Kind[] = ["float32", "int64", "string"];
const KEYS = ["a", "b", "c"];
const TYPE: Record<Kind, string> = { float32: "float", int64: "int64", string: "string" };
const LIST: Record<Kind, string> = { float32: "float", int64: "int64", string: "bytes" };

interface Config {
  key: string;
  sparse: boolean;
  dtype: Kind;
  length: number;
  /** A dense default (prod(shape) values), or null. */
  dflt: Value[] | null;
}

interface Present {
  key: string;
  kind: Kind;
  values: Value[];
}

const valueOf = (kind: Kind): fc.Arbitrary<Value> =>
  kind === "float32" ? fc.float({ noNaN: true, noDefaultInfinity: true }).map((x) => Math.fround(x)) : kind === "int64" ? fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) : fc.string({ maxLength: 3 });

const configArb: fc.Arbitrary<Config[]> = fc
  .subarray(KEYS, { minLength: 1 })
  .chain((keys) =>
    fc.tuple(
      ...keys.map((key) =>
        fc.record({ sparse: fc.boolean(), dtype: fc.constantFrom(...KINDS), length: fc.integer({ min: 0, max: 3 }), withDefault: fc.boolean() }).chain((c) =>
          (c.withDefault && !c.sparse && c.length > 0 ? fc.array(valueOf(c.dtype), { minLength: c.length, maxLength: c.length }) : fc.constant(null)).map(
            (dflt): Config => ({ key, sparse: c.sparse, dtype: c.dtype, length: c.length, dflt }),
          ),
        ),
      ),
    ),
  );

/** A record: each key absent, right, or of a random kind and length (mostly right). */
function recordArb(configs: Config[]): fc.Arbitrary<Present[]> {
  const one = (c: Config): fc.Arbitrary<Present | null> =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 4, arbitrary: fc.array(valueOf(c.dtype), { minLength: c.length, maxLength: c.sparse ? 4 : c.length }).map((values) => ({ key: c.key, kind: c.dtype, values })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...KINDS).chain((kind) => fc.array(valueOf(kind), { maxLength: 4 }).map((values) => ({ key: c.key, kind, values }))),
      },
    );
  return fc.tuple(...configs.map(one)).chain((xs) => fc.shuffledSubarray(xs.filter((x): x is Present => x !== null), { minLength: xs.filter((x) => x).length }));
}

function spec(p: Present): FeatureSpec {
  if (p.kind === "float32") return { floatList: p.values as number[] };
  if (p.kind === "int64") return { int64List: p.values as bigint[] };
  return { bytesList: p.values as string[] };
}

type Outcome = { error: string } | { dense: Record<string, Value[]>; sparse: Record<string, { indices: bigint[]; values: Value[]; shape: bigint[] }> };

function model(configs: Config[], records: Present[][]): Outcome {
  const sorted = [...configs].sort((x, y) => (x.key < y.key ? -1 : 1));
  const dense: Record<string, Value[]> = {};
  const sparse: Record<string, { indices: bigint[]; values: Value[]; shape: bigint[] }> = {};
  for (const c of sorted) {
    if (c.sparse) sparse[c.key] = { indices: [], values: [], shape: [BigInt(records.length), 0n] };
    else dense[c.key] = [];
  }
  for (let b = 0; b < records.length; b++) {
    const present = records[b]!;
    const prefix = (key: string): string => `Name: <unknown>, Key: ${key}, Index: ${b}.  `;
    for (let i = present.length - 1; i >= 0; i--) {
      const p = present[i]!;
      const c = configs.find((x) => x.key === p.key)!;
      if (p.kind !== c.dtype) {
        return { error: prefix(p.key) + (c.sparse ? `Data types don't match. Expected type: ${TYPE[c.dtype]}, Actual type: ${TYPE[p.kind]}` : `Data types don't match. Data type: ${TYPE[p.kind]} but expected type: ${TYPE[c.dtype]}`) };
      }
      if (!c.sparse && p.values.length !== c.length) {
        return { error: prefix(p.key) + `Number of ${LIST[c.dtype]} values != expected.  Values size: ${p.values.length} but output shape: [${c.length}]` };
      }
    }
    for (const c of sorted) {
      const p = present.find((x) => x.key === c.key);
      if (c.sparse) {
        const s = sparse[c.key]!;
        (p?.values ?? []).forEach((v, j) => {
          s.indices.push(BigInt(b), BigInt(j));
          s.values.push(v);
        });
        if (p && BigInt(p.values.length) > s.shape[1]!) s.shape[1] = BigInt(p.values.length);
      } else if (p) dense[c.key]!.push(...p.values);
      else if (c.dflt) dense[c.key]!.push(...c.dflt);
      else return { error: `Name: <unknown>, Feature: ${c.key} (data type: ${TYPE[c.dtype]}) is required but could not be found.` };
    }
  }
  return { dense, sparse };
}

function flat(a: NDArray): Value[] {
  const out: Value[] = [];
  for (let i = 0; i < a.size; i++) out.push(a.valueAt(i) as Value);
  return out;
}

async function real(configs: Config[], records: Present[][]): Promise<Outcome> {
  const features: Record<string, Feature> = {};
  for (const c of configs) features[c.key] = c.sparse ? VarLenFeature(c.dtype as DType) : FixedLenFeature([c.length], c.dtype as DType, c.dflt);
  const bytes = records.map((r) => serializeExample({ feature: Object.fromEntries(r.map((p) => [p.key, spec(p)])) }));
  const parsed = inGraph(() => parseExample(new NDArray("string", [bytes.length], bytes), features));
  const tensors: Tensor[] = Object.values(parsed).flatMap((v) => (v instanceof SparseTensor ? [v.indices, v.values, v.denseShape] : [v]));
  let values: NDArray[];
  try {
    values = await evaluate(tensors);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const dense: Record<string, Value[]> = {};
  const sparse: Record<string, { indices: bigint[]; values: Value[]; shape: bigint[] }> = {};
  let i = 0;
  for (const [k, v] of Object.entries(parsed)) {
    if (v instanceof SparseTensor) {
      sparse[k] = { indices: flat(values[i]!) as bigint[], values: flat(values[i + 1]!), shape: flat(values[i + 2]!) as bigint[] };
      i += 3;
    } else dense[k] = flat(values[i++]!);
  }
  return { dense, sparse };
}

it("parseExample agrees with TF's rules on random Examples and configs", async () => {
  const runs = Number(process.env.TFCLUSTER_PROPERTY_RUNS ?? 150);
  const seed = process.env.TFCLUSTER_PROPERTY_SEED ? Number(process.env.TFCLUSTER_PROPERTY_SEED) : (Math.random() * 2 ** 31) >>> 0;
  console.log(`parse-example property seed: ${seed} (replay with TFCLUSTER_PROPERTY_SEED=${seed})`);
  const arb = configArb.chain((configs) => fc.tuple(fc.constant(configs), fc.array(recordArb(configs), { minLength: 1, maxLength: 3 })));
  await fc.assert(
    fc.asyncProperty(arb, async ([configs, records]) => {
      expect(await real(configs, records)).toEqual(model(configs, records));
    }),
    { numRuns: runs, seed, ...(process.env.TFCLUSTER_PROPERTY_PATH ? { path: process.env.TFCLUSTER_PROPERTY_PATH } : {}), verbose: 1 },
  );
}, 60_000);
