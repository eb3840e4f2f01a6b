// The subnets of this host's Docker networks: containers attached to them (other services, other
// bridges) are refused by the egress proxy whatever range Docker gave them.
import type Dockerode from "dockerode";

export async function dockerNetworkSubnets(docker: Dockerode): Promise<string[]> {
  const networks = await docker.listNetworks();
  return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => typeof s === "string" && s.length > 0));
}
