// Lint rules, including the layer boundaries of DESIGN.md: a lower layer never imports a higher one.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layers = ["util", "errors", "tensor", "graph", "transport", "engine", "client", "io", "train", "sim", "demo", "cli"];

/**
 * For each layer, forbid importing any layer above it. A relative import reaches src/<layer> only
 * with as many "../" as the importing file is deep below src/, hence one rule per depth.
 */
const layerRules = layers.flatMap((layer, i) =>
  [1, 2, 3].map((depth) => ({
    files: [`src/${layer}/${"*/".repeat(depth - 1)}*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...layers.slice(i + 1).map((higher) => ({
              regex: `^(\\.\\./){${depth}}${higher}/`,
              message: `src/${layer} is below src/${higher} (DESIGN.md layers): it must not import it.`,
            })),
            ...(layer === "transport" || layer === "sim" ? [] : [{ group: ["worker_threads", "node:worker_threads"], message: "Only src/transport/thread and src/sim touch worker_threads." }]),
            ...(layer === "transport" ? [] : [{ group: ["@grpc/grpc-js"], message: "Only src/transport/grpc imports grpc-js." }]),
          ],
        },
      ],
    },
  })),
);

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  ...layerRules,
  {
    // Inside transport, only grpc/ touches grpc-js and only thread/ touches worker_threads.
    files: ["src/transport/*.ts", "src/transport/inproc/**/*.ts", "src/transport/wire/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^(\\.\\./){1,2}(engine|client|io|train|sim|cli)/", message: "transport is below engine (DESIGN.md layers)." },
            { group: ["@grpc/grpc-js", "worker_threads", "node:worker_threads"], message: "Only src/transport/grpc imports grpc-js; only src/transport/thread and src/sim touch worker_threads." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/transport/grpc/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^(\\.\\./){2}(engine|client|io|train|sim|cli)/", message: "transport is below engine (DESIGN.md layers)." },
            { group: ["worker_threads", "node:worker_threads"], message: "Only src/transport/thread and src/sim touch worker_threads." },
          ],
        },
      ],
    },
  },
  {
    // Everything that runs inside a simulated cluster takes its clock and randomness from its
    // environment (src/util/env.ts, the one file that touches the host's), so inproc runs replay.
    files: ["src/engine/**/*.ts", "src/transport/inproc/**/*.ts", "src/sim/**/*.ts", "src/train/**/*.ts", "src/client/**/*.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Use the injected Clock (ctx.step.clock / env.clock)." },
        { object: "Math", property: "random", message: "Use the injected Random (ctx.step.random / env.random)." },
        { object: "performance", property: "now", message: "Use the injected Clock (env.clock.nowMs)." },
        { object: "globalThis", property: "setTimeout", message: "Use env.clock.setTimer." },
        { object: "globalThis", property: "setImmediate", message: "Use nextTurn(clock) from src/util/env.ts." },
      ],
      "no-restricted-globals": [
        "error",
        { name: "setTimeout", message: "Use env.clock.setTimer." },
        { name: "setInterval", message: "Use env.clock.setTimer." },
        { name: "setImmediate", message: "Use nextTurn(clock) from src/util/env.ts." },
        { name: "queueMicrotask", message: "Microtasks outside the scheduler reorder a simulation: use the clock or a Promise." },
        { name: "performance", message: "Use the injected Clock." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Use the injected Clock (env.clock.nowMicros)." },
      ],
    },
  },
);
