/** Cluster size of a seed when none is forced: odd seeds run 5 nodes, even ones 3. */
export function nodesForSeed(seed: number): 3 | 5 {
  return seed % 2 === 1 ? 5 : 3;
}
