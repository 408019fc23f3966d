import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRICS_PREFIX } from '../metrics/index.ts';

/**
 * Scale-out group metrics: how often the member's assignment changed, how long acting on it took,
 * how many routes moved, and whether the member is refused work (its configuration differs).
 */
export class MembershipMetrics {
  readonly rebalances: Counter;
  readonly rebalanceSeconds: Histogram;
  readonly routesMoved: Counter<'direction'>;
  readonly partitionsMoved: Counter<'direction'>;
  readonly assignedPartitions: Gauge;
  readonly generation: Gauge;
  readonly assignedRoutes: Gauge;
  readonly configMismatch: Gauge;
  readonly lost: Counter;
  readonly fencedWrites: Counter<'what'>;
  readonly balanceRebalances: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.rebalances = new Counter({
      name: `${METRICS_PREFIX}group_rebalances_total`,
      help: 'Assignments this member received from the scale-out group (one per generation it joined)',
      registers,
    });
    this.rebalanceSeconds = new Histogram({
      name: `${METRICS_PREFIX}group_rebalance_duration_seconds`,
      help: 'How long this member took to act on an assignment: stop its revoked routes (drain, flush) and start its new ones',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.routesMoved = new Counter({
      name: `${METRICS_PREFIX}group_routes_moved_total`,
      help: 'Flow units (a route\'s once-per-flow work) this member started (direction="in") or stopped (direction="out") because of an assignment',
      labelNames: ['direction'],
      registers,
    });
    for (const direction of ['in', 'out']) this.routesMoved.inc({ direction }, 0);
    this.partitionsMoved = new Counter({
      name: `${METRICS_PREFIX}group_partitions_moved_total`,
      help: 'Source partitions this member started copying (direction="in") or stopped copying (direction="out", its task drained and flushed) because of an assignment',
      labelNames: ['direction'],
      registers,
    });
    for (const direction of ['in', 'out']) this.partitionsMoved.inc({ direction }, 0);
    this.assignedPartitions = new Gauge({
      name: `${METRICS_PREFIX}group_assigned_partitions`,
      help: 'Source partitions assigned to this member',
      registers,
    });
    this.generation = new Gauge({
      name: `${METRICS_PREFIX}group_generation`,
      help: 'The group generation this member holds (-1: none)',
      registers,
    });
    this.generation.set(-1);
    this.assignedRoutes = new Gauge({
      name: `${METRICS_PREFIX}group_assigned_routes`,
      help: 'Routes this member runs some share of (its flow unit or some of its partitions)',
      registers,
    });
    this.configMismatch = new Gauge({
      name: `${METRICS_PREFIX}group_config_mismatch`,
      help: "1 when the group refuses this member work because its configuration differs from the group's",
      registers,
    });
    this.fencedWrites = new Counter({
      name: `${METRICS_PREFIX}group_fenced_writes_total`,
      help: 'Writes of positions, checkpoint offsets or offset-syncs skipped because this member may no longer hold the route',
      labelNames: ['what'],
      registers,
    });
    this.balanceRebalances = new Counter({
      name: `${METRICS_PREFIX}group_balance_rebalances_total`,
      help: "Rebalances this member started as the group's leader because the load stayed out of balance at two checks in a row",
      registers,
    });
    this.lost = new Counter({
      name: `${METRICS_PREFIX}group_membership_lost_total`,
      help: 'Times this member lost its membership (expired, fenced, heartbeats failing) and stopped every route',
      registers,
    });
  }
}
