/**
 * Every scenario example (examples/s*.ts) run as a real child process, as the README tells a user
 * to run it, on inproc and on one other transport: it exits 0 and prints the values its scenario
 * gives (S2's 4, S4's 1.0 then 2.0, S6's trainer batches, ...): the values of the scenario text
 * (shared/reference/scenarios.md) and the devices its placement rules imply.
 */
import { describe, expect, it } from "vitest";
import { runScript } from "../helpers/processes.js";

type Transport = "inproc" | "thread" | "grpc";

interface ExampleCase {
  file: string;
  /** The transport besides inproc; spread over thread and grpc. */
  other: Transport;
  /** The lines after the title, exactly; or a check of them where the order is random. */
  expected: string[] | ((lines: string[]) => void);
}

/** S6's trainer: batches of 2 then 1 whose rows, in any order, are my_test.csv's with x2 = -1.0 for the empty field. */
function checkCsvTrainer(lines: string[]): void {
  expect(lines[0]).toBe("loader: 3 instances enqueued, then OutOfRangeError (no more files)");
  const batches = lines.slice(1, 3).map((line) => {
    const m = /^trainer batch \d: X = (.*), y = (.*)$/.exec(line);
    expect(m, line).not.toBeNull();
    const [xs, ys] = [JSON.parse(m![1]!) as number[][], JSON.parse(m![2]!) as number[]];
    return xs.map((x, i) => [...x, ys[i]!]);
  });
  expect(batches.map((b) => b.length)).toEqual([2, 1]);
  expect(batches.flat().sort((a, b) => a[0]! - b[0]!)).toEqual([
    [1, 2, 0],
    [4, 5, 1],
    [7, -1, 0],
  ]);
  expect(lines.slice(3)).toEqual(["trainer: OutOfRangeError, the instance queue is closed and empty"]);
}

const S7_LINES = (label: string) => [
  `${label}: 8 runner threads started, trainer got 20 rows (20 distinct), per file [4,4,4,4,4]`,
  `${label}: missing x2 read as [-1]`,
  `${label}: coordinator stopped; loops still alive: 0`,
];

const CASES: ExampleCase[] = [
  {
    file: "s1-cluster",
    other: "grpc",
    expected: [
      "jobs: ps, worker; tasks: /job:ps/task:0, /job:worker/task:0, /job:worker/task:1",
      "devices: /job:ps/task:0/device:CPU:0, /job:worker/task:0/device:CPU:0, /job:worker/task:1/device:CPU:0",
      ...["ps/task:0", "worker/task:0", "worker/task:1"].map((t) => `a session on /job:${t}: 1 (ps) + 2 (worker 0) + 3 (worker 1) = 6`),
    ],
  },
  {
    file: "s2-pinning",
    other: "grpc",
    expected: [
      "c = 4",
      "d = 40, e = 36",
      "a ran on /job:ps/replica:0/task:0/device:CPU:0",
      "b ran on /job:worker/replica:0/task:0/device:GPU:1",
      "c ran on /job:worker/replica:0/task:1/device:GPU:0",
      "d ran on /job:worker/replica:0/task:0/device:GPU:0",
      "e ran on /job:worker/replica:0/task:1/device:CPU:0",
    ],
  },
  {
    file: "s3-replica-device-setter",
    other: "thread",
    expected: [
      "v1 placed on /job:ps/task:0",
      "v2 placed on /job:ps/task:1",
      "v3 placed on /job:ps/task:0",
      "s placed on /job:worker",
      "p1 placed on /job:worker/device:GPU:1",
      "p2 placed on /job:worker/task:1/device:GPU:1",
      "s = v1 + v2 + v3 = 6",
      "v1 after v1 += 4 * s: 25",
    ],
  },
  {
    file: "s4-shared-variable",
    other: "grpc",
    expected: [
      "client on machine A (init): x = 1.0",
      "client on machine B (no init): x = 2.0",
      "local session (init): x = 1.0",
      "local session (no init): FailedPreconditionError",
    ],
  },
  {
    file: "s4-containers-reset",
    other: "thread",
    expected: [
      "default x = 10.0, my_problem_1 x = 2.0",
      "x + my_problem_1/x = 12.0",
      "after reset, the old session: AbortedError",
      "after reset, default x = 10.0",
      "after reset, my_problem_1 x: FailedPreconditionError",
      "initialised again, my_problem_1 x = 0.0",
    ],
  },
  {
    file: "s5-queues-between-sessions",
    other: "thread",
    expected: [
      "trainer dequeue: [1,10]",
      "trainer dequeueMany(4): [[2,3,4,5],[20,30,40,50]]",
      "queue full (size 10): the loader's enqueue waits",
      "trainer dequeue: [6,60]",
      "the waiting enqueue went in: size 10",
      "enqueue after close: CancelledError",
      "dequeueMany(4) with 2 left after close: OutOfRangeError",
      "dequeueUpTo(20) after close: [[15,16],[150,160]]",
      "dequeue once drained: OutOfRangeError",
      "tuple queue: label alone = 1, size after = 1",
      "tuple queue: label = 2, image shape = [3,2]",
      "padded batch shape [3,3,4]: [[[1,2,0,0],[3,4,0,0],[5,6,0,0]],[[7,0,0,0],[0,0,0,0],[0,0,0,0]],[[8,9,10,11],[12,13,14,15],[0,0,0,0]]]",
      "shuffled dequeueMany(5) #1: 5 values",
      "shuffled dequeueMany(5) #2: 5 values",
      "shuffled dequeueMany(5) #3 waits (size 10, minAfterDequeue 10)",
      "after close, #3 got 5 values; 7 left",
    ],
  },
  { file: "s6-csv-pipeline", other: "grpc", expected: checkCsvTrainer },
  {
    file: "s6-preload",
    other: "thread",
    expected: [
      'global variables: ["weight"], trainable: ["weight"]',
      "fed once on worker 0: training_data has shape [3,2]",
      "worker 1 batch rows [0,1]: X = [[1,2],[4,5]], X·w = [[1],[3.25]]",
      "worker 1 batch rows [2]: X = [[7,-1]], X·w = [[3.25]]",
    ],
  },
  { file: "s7-parallel-readers", other: "thread", expected: [...S7_LINES("one reader, five loops"), ...S7_LINES("five readers")] },
];

async function runExample(file: string, transport: Transport): Promise<string[]> {
  const out = await runScript(`examples/${file}.ts`, ["--transport", transport], 90_000);
  const [title, ...lines] = out.trimEnd().split("\n");
  expect(title).toMatch(new RegExp(`^S\\d: .* on ${transport}\\)$`));
  return lines;
}

describe("scenario examples", () => {
  it.each(CASES)("$file prints its scenario's values on inproc and $other", async ({ file, other, expected }) => {
    // Both transports at once: two processes, which the two cores of CI can take.
    const runs = await Promise.all([runExample(file, "inproc"), runExample(file, other)]);
    for (const lines of runs) {
      if (typeof expected === "function") expected(lines);
      else expect(lines).toEqual(expected);
    }
  }, 180_000);

  it("refuses an unknown transport and names the choices", async () => {
    const err = await runScript("examples/s2-pinning.ts", ["--transport", "carrier-pigeon"]).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("expected inproc, thread or grpc, got 'carrier-pigeon'");
  });
});
