/**
 * DeviceSpec parse / merge / toString with TF 1.x's rules (tf-queues-cluster.md §1.1–1.2).
 * @example tf.DeviceSpec.fromString("/job:ps/task:0/cpu:0").toString() // "/job:ps/task:0/device:CPU:0"
 */
export interface DeviceSpecFields {
  job?: string | null;
  replica?: number | null;
  task?: number | null;
  deviceType?: string | null;
  deviceIndex?: number | null;
}

function parseIntStrict(s: string, spec: string): number {
  if (!/^[+-]?\d+$/.test(s.trim())) {
    throw new TypeError(`invalid literal for int() with base 10: '${s}' in device spec '${spec}'`);
  }
  return Number.parseInt(s, 10);
}

export class DeviceSpec {
  job: string | null;
  replica: number | null;
  task: number | null;
  deviceType: string | null;
  deviceIndex: number | null;

  constructor(fields: DeviceSpecFields = {}) {
    this.job = fields.job ?? null;
    this.replica = fields.replica ?? null;
    this.task = fields.task ?? null;
    const t = fields.deviceType ?? null;
    this.deviceType = t === "cpu" || t === "gpu" ? t.toUpperCase() : t;
    this.deviceIndex = fields.deviceIndex ?? null;
  }

  /** Parses a full or short device string; throws TypeError on malformed input. */
  static fromString(spec: string): DeviceSpec {
    const d = new DeviceSpec();
    d.parse(spec);
    return d;
  }

  /** A DeviceSpec from a string, a DeviceSpec (copied) or null (empty). */
  static from(x: string | DeviceSpec | null | undefined): DeviceSpec {
    if (x instanceof DeviceSpec) return x.clone();
    return DeviceSpec.fromString(x ?? "");
  }

  private parse(spec: string): void {
    if (typeof spec !== "string") throw new TypeError(`Device spec must be a string, got ${typeof spec}`);
    for (const piece of spec.split("/")) {
      const parts = piece.split(":");
      const head = parts[0]!;
      // Python skips any piece whose first part is empty ("", ":0"), not only empty pieces.
      if (head === "") continue;
      if (parts.length === 2 && head === "job") {
        this.job = parts[1]!;
      } else if (parts.length === 2 && head === "replica") {
        this.replica = parseIntStrict(parts[1]!, spec);
      } else if (parts.length === 2 && head === "task") {
        this.task = parseIntStrict(parts[1]!, spec);
      } else if (parts.length <= 2 && (head.toUpperCase() === "CPU" || head.toUpperCase() === "GPU")) {
        this.setType(head.toUpperCase(), parts[1], spec);
      } else if (parts.length === 3 && head === "device") {
        this.setType(parts[1]!, parts[2], spec);
      } else {
        throw new TypeError(`Unknown attribute: '${head}' in '${spec}'`);
      }
    }
  }

  private setType(type: string, index: string | undefined, spec: string): void {
    if (this.deviceType !== null) throw new TypeError(`Cannot specify multiple device types: ${spec}`);
    this.deviceType = type;
    this.deviceIndex = index === undefined || index === "*" ? null : parseIntStrict(index, spec);
  }

  /** Every field set in `other` overwrites this one's; a wildcard index never does. Mutates and returns this. */
  mergeFrom(other: DeviceSpec | string): this {
    const o = typeof other === "string" ? DeviceSpec.fromString(other) : other;
    if (o.job !== null) this.job = o.job;
    if (o.replica !== null) this.replica = o.replica;
    if (o.task !== null) this.task = o.task;
    if (o.deviceType !== null) this.deviceType = o.deviceType;
    if (o.deviceIndex !== null) this.deviceIndex = o.deviceIndex;
    return this;
  }

  clone(): DeviceSpec {
    return new DeviceSpec(this);
  }

  /** Canonical form: /job:J/replica:R/task:T/device:TYPE:IDX, each part only when set. */
  toString(): string {
    let s = "";
    if (this.job !== null) s += `/job:${this.job}`;
    if (this.replica !== null) s += `/replica:${this.replica}`;
    if (this.task !== null) s += `/task:${this.task}`;
    if (this.deviceType !== null) s += `/device:${this.deviceType}:${this.deviceIndex === null ? "*" : this.deviceIndex}`;
    return s;
  }

  equals(other: DeviceSpec): boolean {
    return this.toString() === other.toString();
  }
}

/** Canonical string of a device given as a string or DeviceSpec ("" for null/empty). */
export function canonicalDevice(x: string | DeviceSpec | null | undefined): string {
  if (x === null || x === undefined || x === "") return "";
  return DeviceSpec.from(x).toString();
}
