import { Metadata } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../../../../src/errors/index.js";
import { splitNodeSuffix, withNodeSuffix } from "../../../../src/transport/grpc/node-suffix.js";
import { errorFromCall, statusFromError } from "../../../../src/transport/grpc/status.js";

const site = { rpc: "RunStep", address: "localhost:1" };

function serviceError(code: number, details: string, metadata = new Metadata()) {
  return Object.assign(new Error(details), { code, details, metadata });
}

describe("TF's [[{{node NAME}}]] suffix on gRPC statuses", () => {
  it("a served error ends with TF's tag; tfcluster's client gets the message and node back unchanged", () => {
    const status = statusFromError(new FailedPreconditionError("Attempting to use uninitialized value w", { nodeName: "w/read" }));
    expect(status.details).toBe("Attempting to use uninitialized value w\n\t [[{{node w/read}}]]");
    const back = errorFromCall(serviceError(status.code!, status.details!, status.metadata as Metadata), site);
    expect(back).toBeInstanceOf(FailedPreconditionError);
    expect([back.message, back.nodeName]).toEqual(["Attempting to use uninitialized value w", "w/read"]);
  });

  it("a TF peer's status (tag, no tfcluster metadata) keeps its code and gives the node from the tag", () => {
    const back = errorFromCall(serviceError(9, "Attempting to use uninitialized value v\n\t [[{{node v/read}}]]"), site);
    expect(back).toBeInstanceOf(FailedPreconditionError);
    expect([back.message, back.nodeName]).toEqual(["Attempting to use uninitialized value v", "v/read"]);
  });

  it("is added once and only with a node", () => {
    expect(withNodeSuffix("x", undefined)).toBe("x");
    expect(withNodeSuffix(withNodeSuffix("x", "n"), "n")).toBe("x\n\t [[{{node n}}]]");
    expect(splitNodeSuffix("plain")).toEqual({ message: "plain" });
  });
});
