/** The devices of one task and their full names (/job:J/replica:0/task:T/device:TYPE:N). */
import { DeviceSpec } from "../graph/device-spec.js";
import type { DeviceAttributes } from "../transport/messages.js";
import { InvalidArgumentError } from "../errors/index.js";

/**
 * DeviceSpec.fromString for a device string that came from a peer (a NodeDef's device, a filter):
 * a malformed one is InvalidArgumentError, as TF's DeviceNameUtils::ParseFullName reports it,
 * not the TypeError graph building raises.
 */
export function parseDevice(spec: string): DeviceSpec {
  try {
    return DeviceSpec.fromString(spec);
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw new InvalidArgumentError(`Malformed device specification '${spec}': ${err.message}`);
    throw err;
  }
}

export function fullDeviceName(job: string, task: number, type: string, index: number): string {
  return `/job:${job}/replica:0/task:${task}/device:${type}:${index}`;
}

export interface TaskId {
  job: string;
  task: number;
}

export function taskKey(t: TaskId): string {
  return `/job:${t.job}/replica:0/task:${t.task}`;
}

/** The task part of a full device name. */
export function taskOfDevice(device: string): TaskId {
  const d = parseDevice(device);
  if (d.job === null || d.task === null) throw new InvalidArgumentError(`Device '${device}' does not name a task`);
  return { job: d.job, task: d.task };
}

/** CPU:0 plus `virtualGpus` GPU devices backed by the CPU (for developing placement code). */
export function localDevices(job: string, task: number, virtualGpus = 0, incarnation = 1n): DeviceAttributes[] {
  const devices: DeviceAttributes[] = [
    { name: fullDeviceName(job, task, "CPU", 0), deviceType: "CPU", memoryLimitBytes: 268435456, incarnation },
  ];
  for (let i = 0; i < virtualGpus; i++) {
    devices.push({ name: fullDeviceName(job, task, "GPU", i), deviceType: "GPU", memoryLimitBytes: 268435456, incarnation });
  }
  return devices;
}
