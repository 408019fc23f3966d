import { kafkaErrorName } from '../kafka/index.ts';
import type { GroupCoordinator, GroupMemberMetadata } from '../kafka/index.ts';
import { describeError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { Backoff, pause } from './retry.ts';

/** Where the member stands in the group after its last successful SyncGroup. */
export interface GroupGeneration {
  memberId: string;
  generationId: number;
  leaderId: string;
}

/** What the member's owner decides: the protocol metadata, the leader's assignment, what to run. */
export interface GroupMemberHandlers {
  /** The protocol name and this member's metadata for its next JoinGroup (what it runs now, its config). */
  metadata(): { protocol: string; metadata: Buffer };
  /** Leader only: every member's assignment for this generation. */
  assign(members: readonly GroupMemberMetadata[], generation: GroupGeneration): Map<string, Buffer>;
  /**
   * This member's assignment. Resolves once the member acted on it: units it lost are stopped
   * (drained, positions flushed) before it resolves. Returns true when the member gave units back
   * and must rejoin at once, so the leader can hand them to others (cooperative, as KIP-429).
   */
  assigned(assignment: Buffer, generation: GroupGeneration): Promise<boolean>;
  /**
   * The member lost its place (fenced, expired, or it could not heartbeat for most of the session
   * timeout): stop every unit before anything else. Called again whenever it happens again.
   */
  lost(reason: string): Promise<void>;
}

export interface GroupMemberOptions {
  heartbeatIntervalMs: number;
  sessionTimeoutMs: number;
  logger: Logger;
  /** Leave the group at stop (dynamic members); a static member stays until its session expires (KIP-345). */
  leaveOnStop: boolean;
  clock?: () => number;
}

/** A member that cannot heartbeat this share of the session timeout stops its units itself. */
export const SELF_FENCE_SHARE = 0.6;

/** Errors after which this member's id is void: join again as a new member. */
const MEMBER_GONE = new Set(['UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);
/** Errors that only say "rejoin": a rebalance started, or this generation is over. */
const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION']);

/**
 * One member of a classic group, Java's AbstractCoordinator reduced to what the appliance needs:
 * join, sync (the leader assigns), heartbeat until a rebalance, and rejoin. Heartbeats go on while
 * the owner acts on an assignment (stopping a unit may take seconds), so a slow drain never costs
 * the member its place. When heartbeats fail for {@link SELF_FENCE_SHARE} of the session timeout the
 * member stops its units by itself, before the coordinator can give them to another member.
 */
export class GroupMember {
  private readonly coordinator: GroupCoordinator;
  private readonly handlers: GroupMemberHandlers;
  private readonly options: GroupMemberOptions;
  private readonly clock: () => number;
  private readonly abort = new AbortController();
  private memberId = '';
  private current: GroupGeneration | undefined;
  private rejoinWanted = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  /** When the last heartbeat or sync that succeeded was sent. */
  private lastConfirmedAt = 0;
  private fenced = false;
  /** The coordinator said it no longer knows this member: its lease is void until the next sync. */
  private gone = false;
  /** Set when another process took this member's static instance id: wait before taking it back. */
  private holdOffMs = 0;

  constructor(coordinator: GroupCoordinator, handlers: GroupMemberHandlers, options: GroupMemberOptions) {
    this.coordinator = coordinator;
    this.handlers = handlers;
    this.options = options;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * Whether the coordinator cannot have ended this member's generation yet: the last heartbeat (or
   * join) it confirmed was sent less than a session timeout ago, and it never said the member was
   * gone since. Writes for the member's units are safe only while this holds.
   */
  holdsLease(): boolean {
    return (
      !this.gone && this.lastConfirmedAt > 0 && this.clock() - this.lastConfirmedAt < this.options.sessionTimeoutMs
    );
  }

  /** The generation this member holds, if any. */
  generation(): GroupGeneration | undefined {
    return this.current;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Asks for a rebalance (e.g. this member's metadata changed). */
  rejoin(): void {
    this.rejoinWanted = true;
    this.wake?.();
  }

  /** Stops the loop and, for a dynamic member, leaves the group. The owner stops its units itself. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.running;
    const memberId = this.memberId;
    this.memberId = '';
    if (this.options.leaveOnStop && memberId !== '') {
      try {
        await this.coordinator.leave(memberId);
      } catch (err) {
        this.options.logger.warn({ err: describeError(err) }, 'could not leave the group; it expires the member');
      }
    }
    this.current = undefined;
    await this.coordinator.close();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    const backoff = new Backoff({ initialMs: 200, maxMs: 5_000 });
    const log = this.options.logger;
    while (!this.stopped) {
      if (this.holdOffMs > 0) {
        await pause(this.holdOffMs, this.abort.signal);
        this.holdOffMs = 0;
        if (this.stopped) return;
      }
      try {
        const { protocol, metadata } = this.handlers.metadata();
        this.rejoinWanted = false;
        const sentAt = this.clock();
        const join = await this.coordinator.join(this.memberId, [{ name: protocol, metadata }]);
        this.memberId = join.memberId;
        const generation = { memberId: join.memberId, generationId: join.generationId, leaderId: join.leaderId };
        const assignments =
          join.leaderId === join.memberId
            ? [...this.handlers.assign(join.members, generation)].map(([memberId, assignment]) => ({
                memberId,
                assignment,
              }))
            : [];
        const mine = await this.coordinator.sync(join.generationId, join.memberId, assignments);
        if (this.stopped) return;
        this.lastConfirmedAt = sentAt;
        this.fenced = false;
        this.gone = false;
        this.current = generation;
        backoff.reset();
        log.info(
          { memberId: join.memberId, generation: join.generationId, leader: join.leaderId === join.memberId },
          'joined the group',
        );
        await this.heartbeatWhile(this.handlers.assigned(mine, generation), generation);
      } catch (err) {
        if (this.stopped) return;
        const name = kafkaErrorName(err);
        if (name === 'MEMBER_ID_REQUIRED') {
          // KIP-394: the first join of a dynamic member only hands out its member id.
          const given = (err as { details?: { memberId?: unknown } }).details?.memberId;
          if (typeof given === 'string') this.memberId = given;
          continue;
        }
        if (name !== undefined && REJOIN.has(name)) continue;
        if (name !== undefined && MEMBER_GONE.has(name)) {
          this.memberId = '';
          this.gone = true;
          await this.lose(`the coordinator no longer knows this member (${name})`);
        } else {
          log.warn({ err: describeError(err) }, 'group join failed; retrying');
          await this.fenceIfSilent();
        }
        await pause(backoff.next(), this.abort.signal);
      }
    }
  }

  /**
   * Heartbeats until a rebalance, a stop or a rejoin request; the owner's action on the assignment
   * (`acting`) runs meanwhile and is awaited before the member rejoins (revoke → flush → join).
   */
  private async heartbeatWhile(acting: Promise<boolean>, generation: GroupGeneration): Promise<void> {
    let actionDone = false;
    const action = acting.then(
      (rejoin) => {
        actionDone = true;
        if (rejoin) this.rejoin();
      },
      (err: unknown) => {
        actionDone = true;
        this.options.logger.error({ err: describeError(err) }, 'acting on the assignment failed; rejoining');
        this.rejoin();
      },
    );
    try {
      while (!this.stopped && !this.rejoinWanted) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          void pause(this.options.heartbeatIntervalMs, this.abort.signal).then(() => resolve());
        });
        this.wake = undefined;
        if (this.stopped || this.rejoinWanted) break;
        const sentAt = this.clock();
        try {
          await this.coordinator.heartbeat(generation.generationId, generation.memberId);
          this.lastConfirmedAt = sentAt;
        } catch (err) {
          const name = kafkaErrorName(err);
          if (name !== undefined && REJOIN.has(name)) break;
          if (name !== undefined && MEMBER_GONE.has(name)) {
            this.memberId = '';
            this.current = undefined;
            this.gone = true;
            await action;
            await this.lose(`the coordinator no longer knows this member (${name})`);
            return;
          }
          this.options.logger.warn({ err: describeError(err) }, 'heartbeat failed');
          if (await this.fenceIfSilent()) {
            this.current = undefined;
            // Rejoining is all that is left: the coordinator may still know this member.
            break;
          }
        }
      }
    } finally {
      if (!actionDone) await action;
    }
  }

  /** Stops the units once heartbeats have failed for most of the session timeout; true if it did. */
  private async fenceIfSilent(): Promise<boolean> {
    if (this.lastConfirmedAt === 0) return false;
    const silentMs = this.clock() - this.lastConfirmedAt;
    if (silentMs < SELF_FENCE_SHARE * this.options.sessionTimeoutMs) return false;
    if (!this.fenced) await this.lose(`no heartbeat confirmed for ${silentMs} ms`);
    return true;
  }

  private async lose(reason: string): Promise<void> {
    if (reason.includes('FENCED_INSTANCE_ID')) {
      // Two processes with one mm2ts.group.instance.id would take the place from each other at
      // every join: say so, and let the other one run for a session timeout before trying again.
      this.options.logger.error(
        'another process joined with this mm2ts.group.instance.id: every process needs its own',
      );
      this.holdOffMs = this.options.sessionTimeoutMs;
    }
    this.fenced = true;
    this.current = undefined;
    this.options.logger.warn({ reason }, 'lost the group membership: stopping every unit of this member');
    await this.handlers.lost(reason);
  }
}
