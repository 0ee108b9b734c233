/**
 * A registry with leases, for the simulations that need one (discovery-failover, capstone-day):
 * a lease per instance, which a registration sets and each renewal extends to
 * now + `ttlMs`. A renewal of a lease that has run out fails, and the instance must register
 * again; a lookup lists the instances whose lease is live, sorted by id.
 */
export function leaseRegistry(ttlMs: number) {
  const expiresAt = new Map<string, number>();
  const live = (id: string, now: number): boolean => {
    const deadline = expiresAt.get(id);
    if (deadline === undefined) return false;
    if (now < deadline) return true;
    expiresAt.delete(id);
    return false;
  };
  return {
    register: (id: string, now: number): void => void expiresAt.set(id, now + ttlMs),
    renew(id: string, now: number): boolean {
      if (!live(id, now)) return false;
      expiresAt.set(id, now + ttlMs);
      return true;
    },
    lookup: (now: number): string[] => [...expiresAt.keys()].filter((id) => live(id, now)).sort(),
  };
}
