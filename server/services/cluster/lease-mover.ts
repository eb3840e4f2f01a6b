import { AppError } from "@/server/errors/app-error";
import { getAppRuntime } from "@/server/process/app-runtime";
import { projectOwnerRepository } from "@/server/repositories/project-owner-repository";
import { OWNER_ANSWER_MS } from "./ask-owner";

// Where a request for a project is served (SCALE.md, "Project ownership"): here when this
// instance holds the project or can take it; otherwise the owner is asked to hand it over
// (`release-project`), which an idle owner does (saves, releases, deletes its row) and a busy one
// refuses; a refused request is forwarded to the owner (executions) or refused with a clear error
// (processes and shells, whose streams are not forwarded between instances yet).

/** Served here (call `done` when the work has ended or its process started), or by the owner named. */
export type Placement = { here: true; done: () => void } | { here: false; owner: string };

const HERE: Placement = { here: true, done: () => {} };
/** Hand-overs lost to a third instance's acquire before giving up (contention, not a steady state). */
const MOVE_ATTEMPTS = 3;

/**
 * Places work on the project: acquires it here, moving it from an idle owner if needed. Outside a
 * server (tests, scripts: no ownership) everything is served here, as before replicas.
 */
export async function placeProject(projectId: number): Promise<Placement> {
  const { projectOwnership: ownership, clusterBus: bus } = getAppRuntime();
  if (!ownership) return HERE;
  for (let attempt = 0; attempt < MOVE_ATTEMPTS; attempt++) {
    const outcome = await ownership.acquireForUse(projectId);
    if (outcome.kind === "acquired") return { here: true, done: outcome.done };
    const answer = bus ? await bus.ask(outcome.instanceId, { type: "release-project", projectId }, OWNER_ANSWER_MS["release-project"]) : null;
    if (answer?.done) continue; // handed over: the next acquire takes it
    if (answer) return { here: false, owner: outcome.instanceId }; // busy there: forward
    // No answer: the owner is stuck or dying. Once its heartbeat is stale (15 s) any acquire
    // takes the project over; until then nobody else may bind a container for it.
    throw new AppError(
      "UNAVAILABLE",
      `The server instance holding project ${projectId} (${outcome.instanceId}) did not answer; if it has died, the project is taken over within 30 s: try again then`,
      { retryAfterSeconds: 15 },
    );
  }
  throw new AppError("UNAVAILABLE", `Project ${projectId} is moving between server instances; try again`, { retryAfterSeconds: 1 });
}

/** placeProject for work that cannot be forwarded yet (processes, shells): served here or refused with a clear error. */
export async function placeProjectHere(projectId: number, what: string): Promise<() => void> {
  const placement = await placeProject(projectId);
  if (placement.here) return placement.done;
  throw new AppError(
    "CONFLICT",
    `Project ${projectId} is busy on another server instance (${placement.owner}): ${what} can start once its run or process there ends, or through that instance`,
  );
}

/** The owner's side of `release-project`: true once the project is free (given up, or not held here), false while busy (unless forced). */
export async function releaseForPeer(projectId: number, force: boolean, releaseLocal: (projectId: number) => Promise<void>): Promise<boolean> {
  const ownership = getAppRuntime().projectOwnership;
  if (!ownership) return true;
  // A forced release (the user's release, a deleted project) ends runs and processes first, as a local one does.
  if (force) await releaseLocal(projectId);
  return ownership.giveUp(projectId, { force });
}

/**
 * A release asked of an instance that does not hold the project (the user's release, a project's
 * deletion) reaches the instance that does: its runs and processes end and its container goes, as
 * on a local release. Nothing to do outside a server or when nobody else holds it.
 */
export async function releaseOnOwner(projectId: number): Promise<void> {
  const { projectOwnership: ownership, clusterBus: bus } = getAppRuntime();
  if (!ownership || !bus) return;
  const owner = await projectOwnerRepository.find(projectId);
  if (!owner || owner.instanceId === ownership.self) return;
  await bus.ask(owner.instanceId, { type: "release-project", projectId, force: true }, OWNER_ANSWER_MS["release-project"]);
}
