/** Scenario S4: state shared through resource containers across clients of different servers. */
import { expect, it } from "vitest";
import * as tf from "../../src/index.js";
import { describeOnTransports } from "../helpers/transports.js";

function buildCounter(name = "x", containerName?: string) {
  const g = new tf.Graph();
  const ops = g.asDefault(() => {
    const make = () => {
      const x = new tf.Variable(0.0, { name });
      const inc = x.assignAdd(1.0);
      return { x, inc, init: x.initializer };
    };
    return containerName ? tf.container(containerName, make) : make();
  });
  return { g, ...ops };
}

describeOnTransports("variables shared across servers (S4)", { ps: 1, worker: 2 }, (ctx) => {
  it("a variable initialised by one client is seen by a client of another server", async () => {
    const first = buildCounter("s4_x");
    const s1 = new tf.Session(ctx.target("worker", 0), { graph: first.g });
    await s1.run(first.init);
    expect((await s1.run(first.inc)).item()).toBe(1);
    await s1.close();

    const second = buildCounter("s4_x");
    const s2 = new tf.Session(ctx.target("worker", 1), { graph: second.g });
    expect((await s2.run(second.inc)).item()).toBe(2);
    expect((await s2.run(second.x)).item()).toBe(2);
    await s2.close();
  });

  it("reading an uninitialised variable fails with FailedPreconditionError naming it", async () => {
    const { g, x } = buildCounter("never_initialised");
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    const err = await sess.run(x).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tf.errors.FailedPreconditionError);
    expect((err as Error).message).toContain("never_initialised");
    await sess.close();
  });

  it("tf.container + Session.reset frees one container; old sessions get AbortedError", async () => {
    const inDefault = buildCounter("reset_x");
    const inProblem = buildCounter("reset_x", "my_problem_1");
    const target = ctx.target("worker", 0);
    const a = new tf.Session(target, { graph: inDefault.g });
    const b = new tf.Session(target, { graph: inProblem.g });
    await a.run(inDefault.init);
    await b.run(inProblem.init);
    await b.run(inProblem.inc);
    expect((await b.run(inProblem.x)).item()).toBe(1);
    expect((await a.run(inDefault.x)).item()).toBe(0);

    await tf.Session.reset(target, ["my_problem_1"]);
    await expect(a.run(inDefault.x)).rejects.toBeInstanceOf(tf.errors.AbortedError);

    const a2 = new tf.Session(target, { graph: inDefault.g });
    const b2 = new tf.Session(target, { graph: inProblem.g });
    expect((await a2.run(inDefault.x)).item()).toBe(0);
    await expect(b2.run(inProblem.x)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
    await b2.run(inProblem.init);
    expect((await b2.run(inProblem.x)).item()).toBe(0);
    await a2.close();
    await b2.close();
    await a.close();
    await b.close();
  });

  it("Session.reset with no containers clears each task's default container (its job name)", async () => {
    const { g, x, init } = buildCounter("reset_default_x");
    const target = ctx.target("worker", 1);
    const s = new tf.Session(target, { graph: g });
    await s.run(init);
    await tf.Session.reset(target);
    const s2 = new tf.Session(target, { graph: g });
    await expect(s2.run(x)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
    await s2.close();
    await s.close();
  });

  it("isolateSessionState gives a session private variables", async () => {
    const { g, x, init } = buildCounter("isolated_x");
    const target = ctx.target("worker", 0);
    const shared = new tf.Session(target, { graph: g });
    await shared.run(init);
    const isolated = new tf.Session(target, { graph: g, config: { isolateSessionState: true } });
    await expect(isolated.run(x)).rejects.toBeInstanceOf(tf.errors.FailedPreconditionError);
    await isolated.run(init);
    expect((await isolated.run(x)).item()).toBe(0);
    await isolated.close();
    await shared.close();
  });

  it("reportUninitializedVariables names the variables without a value", async () => {
    const g = new tf.Graph();
    const { report, init } = g.asDefault(() => {
      const a = new tf.Variable(1, { name: "ru_a" });
      new tf.Variable(2, { name: "ru_b" });
      return { report: tf.reportUninitializedVariables(), init: a.initializer };
    });
    const sess = new tf.Session(ctx.target("worker", 0), { graph: g });
    await sess.run(init);
    expect((await sess.run(report)).toArray()).toEqual(["ru_b"]);
    await sess.close();
  });
});
