/**
 * Property test of the ConditionalAccumulator resource against TF's rules (tf-training.md §2.2–2.3),
 * on random sequences of applies, takes and setGlobalStep.
 *
 * The model: a step s (0 at first), a count c and a sum; a FIFO of pending takes.
 *  - apply(localStep, g): if localStep < s it is dropped, whatever its shape. Otherwise a shape
 *    other than the declared [2] fails with "Shape mismatch" and changes nothing; else sum += g, c += 1.
 *  - take(n) joins the FIFO. After every apply and take, while the head's n ≤ c, the head
 *    completes with sum / c (MEAN), s += 1, c = 0. Only the head is tried, so a later take
 *    needing fewer gradients waits behind it.
 *  - setGlobalStep(v): s = v, nothing else (a smaller v only logs TF's warning).
 * After each command the completed takes (in order, with their values), c and s must agree.
 * A failure prints the seed and path; replay with TFCLUSTER_PROPERTY_SEED / _PATH.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { ConditionalAccumulator } from "../../src/engine/resources/conditional-accumulator.js";
import { ndarray } from "../../src/tensor/ndarray.js";
import { systemClock } from "../../src/util/env.js";
import { captureStderr } from "../helpers/stderr.js";

type Command =
  | { kind: "apply"; localStep: number; values: number[] }
  | { kind: "take"; n: number }
  | { kind: "setStep"; step: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("apply" as const), localStep: fc.integer({ min: 0, max: 5 }), values: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("take" as const), n: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("setStep" as const), step: fc.integer({ min: 0, max: 5 }) }) },
);

class Model {
  step = 0;
  count = 0;
  sum = [0, 0];
  pending: { id: number; n: number }[] = [];
  done: { id: number; values: number[] }[] = [];

  /** Returns whether the apply fails. */
  apply(localStep: number, values: number[]): boolean {
    if (localStep < this.step) return false;
    if (values.length !== 2) return true;
    this.sum = this.sum.map((s, i) => s + values[i]!);
    this.count++;
    this.serve();
    return false;
  }

  take(id: number, n: number): void {
    this.pending.push({ id, n });
    this.serve();
  }

  private serve(): void {
    for (let head = this.pending[0]; head !== undefined && head.n <= this.count; head = this.pending[0]) {
      this.pending.shift();
      this.done.push({ id: head.id, values: this.sum.map((s) => s / this.count) });
      this.step++;
      this.count = 0;
      this.sum = [0, 0];
    }
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

it("ConditionalAccumulator agrees with TF's rules under random apply/take/setGlobalStep sequences", async () => {
  const runs = Number(process.env.TFCLUSTER_PROPERTY_RUNS ?? 200);
  const seed = process.env.TFCLUSTER_PROPERTY_SEED ? Number(process.env.TFCLUSTER_PROPERTY_SEED) : undefined;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { maxLength: 40 }), async (cmds) => {
      const acc = new ConditionalAccumulator({ name: "p", dtype: "float64", shape: [2], reductionType: "MEAN", clock: systemClock });
      const model = new Model();
      const done: { id: number; values: number[] }[] = [];
      let nextId = 0;
      for (const c of cmds) {
        if (c.kind === "apply") {
          const shouldFail = model.apply(c.localStep, c.values);
          const grad = ndarray(c.values, { dtype: "float64", shape: [c.values.length] });
          let failed = false;
          try {
            acc.applyGrad(BigInt(c.localStep), grad);
          } catch (err) {
            failed = true;
            expect((err as Error).message).toMatch(/^Shape mismatch: expected \[2\], got \[\d\]$/);
          }
          expect(failed).toBe(shouldFail);
        } else if (c.kind === "take") {
          const id = nextId++;
          model.take(id, c.n);
          acc.takeGrad(c.n).then(
            (v) => done.push({ id, values: Array.from(v.data as Float64Array) }),
            () => undefined, // the takes still pending when the run ends are cancelled by destroy
          );
        } else {
          const smaller = c.step < model.step;
          model.step = c.step;
          const { text } = await captureStderr(async () => acc.setGlobalStep(BigInt(c.step)));
          expect(text.includes("Attempt to set current_global_step_ to smaller value")).toBe(smaller);
        }
        await settle();
        expect(done).toEqual(model.done);
        expect(acc.numAccumulated()).toBe(model.count);
        expect(acc.currentGlobalStep()).toBe(BigInt(model.step));
        expect(acc.describe().waiting.map((w) => w.elements)).toEqual(model.pending.map((p) => p.n));
      }
      acc.destroy("end of run");
    }),
    { numRuns: runs, ...(seed !== undefined ? { seed, path: process.env.TFCLUSTER_PROPERTY_PATH } : {}), verbose: 1 },
  );
}, 60_000);
