/**
 * Projects' owners as this process has read them. A project's owner never changes (no update
 * takes a userId) and ids are never reused, so a remembered owner stays right: an execution by a
 * caller known to own the project is charged its rate-limit windows while its access is read, in
 * parallel (one database round trip fewer on every run after a project's first). A project deleted
 * since is refused by that read, and the charge given back. Bounded: the oldest entry goes first.
 */
const MAX_REMEMBERED = 10_000;
const owners = new Map<number, number>();

export function rememberOwner(projectId: number, ownerId: number): void {
  owners.delete(projectId);
  owners.set(projectId, ownerId);
  if (owners.size > MAX_REMEMBERED) owners.delete(owners.keys().next().value!);
}

export function knownOwner(projectId: number): number | undefined {
  return owners.get(projectId);
}
