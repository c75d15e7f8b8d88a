// Lint rules, including the layer boundaries of DESIGN.md: a lower layer never imports a higher one.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layers = ["errors", "tensor", "graph", "transport", "engine", "client", "train", "sim", "cli"];

/** For each layer, forbid importing any layer above it. */
const layerRules = layers.map((layer, i) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          ...layers.slice(i + 1).map((higher) => ({
            regex: `^\\.\\.?/(\\.\\./)*${higher}/`,
            message: `src/${layer} is below src/${higher} (DESIGN.md layers): it must not import it.`,
          })),
          ...(layer === "transport" || layer === "sim" ? [] : [{ group: ["worker_threads", "node:worker_threads"], message: "Only src/transport/thread and src/sim touch worker_threads." }]),
          ...(layer === "transport" ? [] : [{ group: ["@grpc/grpc-js"], message: "Only src/transport/grpc imports grpc-js." }]),
        ],
      },
    ],
  },
}));

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
    files: ["src/transport/**/*.ts"],
    ignores: ["src/transport/grpc/**", "src/transport/thread/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "^\\.\\.?/(\\.\\./)*(engine|client|train|sim|cli)/", message: "transport is below engine (DESIGN.md layers)." },
            { group: ["@grpc/grpc-js", "worker_threads", "node:worker_threads"], message: "Only src/transport/grpc imports grpc-js; only src/transport/thread and src/sim touch worker_threads." },
          ],
        },
      ],
    },
  },
  {
    // Engine code takes its clock and randomness from its environment so inproc runs replay.
    files: ["src/engine/**/*.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Use the injected Clock (ctx.step.clock / env.clock)." },
        { object: "Math", property: "random", message: "Use the injected Random (ctx.step.random / env.random)." },
      ],
      "no-restricted-globals": [
        "error",
        { name: "setTimeout", message: "Use env.clock.setTimer." },
        { name: "setInterval", message: "Use env.clock.setTimer." },
      ],
    },
  },
);
