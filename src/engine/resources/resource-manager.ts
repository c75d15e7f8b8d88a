/**
 * Per-task resource manager: container → (kind, name) → resource (TF's ResourceMgr).
 * The default container is the task's job name. Resources outlive sessions.
 */
import { AlreadyExistsError, NotFoundError } from "../../errors/index.js";
import { appendAll } from "../../util/arrays.js";

export interface Resource {
  readonly kind: string;
  /** Called when the resource's container is cleared (Session.reset): fail waiters, free memory. */
  destroy?(reason: string): void;
  /** A short description for status reports. */
  describe?(): Record<string, unknown>;
}

export interface ResourceEntry {
  container: string;
  kind: string;
  name: string;
  resource: Resource;
}

export class ResourceManager {
  private readonly containers = new Map<string, Map<string, ResourceEntry>>();
  /** Names of resources private to one session's node (ops without a shared_name), by session. */
  private readonly privateNames = new Map<string, Map<string, string>>();
  private privateCounter = 0;

  constructor(readonly defaultContainer: string) {}

  /** The container a handle names: "" means the default container. */
  resolveContainer(container: string): string {
    return container === "" ? this.defaultContainer : container;
  }

  private key(kind: string, name: string): string {
    return `${kind}\u0000${name}`;
  }

  lookup<T extends Resource>(container: string, kind: string, name: string): T | undefined {
    return this.containers.get(this.resolveContainer(container))?.get(this.key(kind, name))?.resource as T | undefined;
  }

  /** The resource, or NotFoundError naming container and name. */
  get<T extends Resource>(container: string, kind: string, name: string): T {
    const r = this.lookup<T>(container, kind, name);
    if (!r) {
      throw new NotFoundError(`Resource ${this.resolveContainer(container)}/${name}/${kind} does not exist.`);
    }
    return r;
  }

  create(container: string, kind: string, name: string, resource: Resource): void {
    const c = this.resolveContainer(container);
    let m = this.containers.get(c);
    if (!m) this.containers.set(c, (m = new Map()));
    const k = this.key(kind, name);
    if (m.has(k)) throw new AlreadyExistsError(`Resource ${c}/${name}/${kind} already exists.`);
    m.set(k, { container: c, kind, name, resource });
  }

  /** Looks the resource up, creating it with `make` when absent; synchronous, so atomic per task. */
  lookupOrCreate<T extends Resource>(container: string, kind: string, name: string, make: () => T): T {
    const found = this.lookup<T>(container, kind, name);
    if (found) return found;
    const r = make();
    this.create(container, kind, name, r);
    return r;
  }

  delete(container: string, kind: string, name: string): boolean {
    const m = this.containers.get(this.resolveContainer(container));
    const k = this.key(kind, name);
    const e = m?.get(k);
    if (!e) return false;
    m!.delete(k);
    e.resource.destroy?.("deleted");
    return true;
  }

  /** Clears the named containers (empty list → the default container), destroying their resources. */
  clear(containers: string[]): void {
    const names = containers.length === 0 ? [this.defaultContainer] : containers;
    for (const name of names) {
      const m = this.containers.get(name);
      if (!m) continue;
      this.containers.delete(name);
      for (const e of m.values()) e.resource.destroy?.(`container '${name}' was reset`);
    }
  }

  clearAll(): void {
    this.clear([...this.containers.keys()]);
  }

  /**
   * The name of a resource private to (session, device, node): a stateful op without shared_name
   * gets one resource per session that repeated runs of the node see and nobody else does.
   */
  privateName(sessionHandle: string, device: string, node: string): string {
    let names = this.privateNames.get(sessionHandle);
    if (!names) this.privateNames.set(sessionHandle, (names = new Map()));
    const key = `${device}\u0000${node}`;
    let name = names.get(key);
    if (name === undefined) names.set(key, (name = `_${this.privateCounter++}_${node}`));
    return name;
  }

  /** Deletes the private resources of a session (its worker session ended). */
  releaseSession(sessionHandle: string): void {
    const names = this.privateNames.get(sessionHandle);
    if (!names) return;
    this.privateNames.delete(sessionHandle);
    const owned = new Set(names.values());
    for (const e of this.entries()) if (owned.has(e.name)) this.delete(e.container, e.kind, e.name);
  }

  entries(): ResourceEntry[] {
    const out: ResourceEntry[] = [];
    for (const m of this.containers.values()) appendAll(out, m.values());
    return out;
  }
}
