import type { Logger } from 'pino';
import type { IncidentView, ServiceState, StatusView } from '../../domain/continuity/status-view.js';
import type { Clock } from '../../domain/shared/clock.js';
import { type ServiceDeps } from '../context.js';
import { openIncident, updateIncident } from '../continuity/incidents.js';
import { composeStatusView, loadStatusFacts } from '../continuity/status.js';
import type { ServiceRecord } from '../continuity/ports.js';
import { systemActor } from '../../domain/registry/actor.js';
import { recordProbeEvidence } from '../certificates/record-probe-evidence.js';

/** A check of one dependency; throws when it fails. */
export interface Probe {
  name: string;
  /** Services that are down when the probe fails. */
  services: string[];
  /** Italian title of the incident the probe opens. */
  title: string;
  check(): Promise<void>;
}

export interface StatusSnapshotStore {
  read(): StatusView | undefined;
  write(view: StatusView): void;
}

interface ProbeState {
  failures: number;
  successes: number;
  /** Set while the probe is failing past the threshold. */
  down: {
    since: Date;
    incidentId: string | null;
    recoveringSince: Date | null;
    /** Failed rounds of this outage, the last one, and how many are in the incident's evidence. */
    failed: number;
    lastFailure: Date;
    recorded: number;
  } | null;
  firstFailure?: Date;
}

const PROBE_ACTOR = systemActor('probe');
const REFRESH_TIMEOUT_MS = 2000;

/**
 * Keeps the status view in memory (and in a snapshot on disk) so that the status page and /status
 * answer while the database is down. Runs the probes: after `failuresToOpen` consecutive failures a
 * probe opens an incident by itself, after `successesToClose` successes it resolves it. When the
 * database itself is what fails, the incident cannot be written yet: it is shown from memory and
 * recorded, with its real start and end, as soon as the database answers again.
 */
export class StatusMonitor {
  #view: StatusView;
  /** The last view built from the database, before the overlay of unrecorded probe failures. */
  #base: StatusView;
  #services: ServiceRecord[] = [];
  readonly #probes = new Map<string, ProbeState>();
  #databaseUp = true;
  #databaseSlowRounds = 0;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;

  constructor(
    private readonly deps: Pick<ServiceDeps, 'store' | 'clock' | 'ids' | 'certificates' | 'creditor'> & {
      clock: Clock;
    },
    private readonly options: {
      ping: () => Promise<void>;
      probes?: Probe[];
      snapshot?: StatusSnapshotStore;
      failuresToOpen?: number;
      successesToClose?: number;
      /**
       * Several processes: finds the automatic incident another process recorded for the same outage
       * (and moves its start back to `since` when earlier), so that the outage is one incident.
       */
      sharedIncidents?: { adopt(title: string, since: Date): Promise<string | null> };
      logger?: Logger;
    },
  ) {
    this.#view = options.snapshot?.read() ?? emptyView(deps.clock.now());
    this.#base = this.#view;
    this.#services = this.#view.services.map((s) => ({
      code: s.code,
      name: s.name,
      description: s.description,
    }));
  }

  get databaseUp(): boolean {
    return this.#databaseUp;
  }

  /** The current view; never throws, never waits for the database. */
  current(): StatusView {
    return this.#view;
  }

  #json: { view: StatusView; summary: string; history: string } | undefined;

  /**
   * The current view as JSON text, serialised once per change (it is read far more than it changes):
   * the summary (states, incidents, maintenance) or the 90-day history per service.
   */
  currentJson(part: 'summary' | 'history'): string {
    const view = this.#view;
    if (this.#json?.view !== view) {
      this.#json = {
        view,
        summary: JSON.stringify({ ...view, services: view.services.map(({ history: _history, ...s }) => s) }),
        history: JSON.stringify({
          generatedAt: view.generatedAt,
          stale: view.stale,
          services: view.services.map((s) => ({ code: s.code, name: s.name, history: s.history })),
        }),
      };
    }
    return this.#json[part];
  }

  get #failuresToOpen() {
    return this.options.failuresToOpen ?? 3;
  }
  get #successesToClose() {
    return this.options.successesToClose ?? 3;
  }

  #allProbes(): Probe[] {
    return [
      {
        name: 'database',
        services: [
          'cig_issuance',
          'smart_cig',
          'contribution_payments',
          'publication_data',
          'notices',
          'portal',
        ],
        title: 'Servizi non disponibili: la base dati non risponde',
        check: this.options.ping,
      },
      ...(this.options.probes ?? []),
    ];
  }

  #confirming: Promise<boolean> | undefined;

  /**
   * Asks the database now (one ping shared by all callers) whether it answers within `timeoutMs`. A
   * request that has waited too long calls this: when the ping does not answer either, the database is
   * marked down at once (API calls then fail fast) until a probe round finds it answering again.
   */
  confirmDatabase(timeoutMs: number): Promise<boolean> {
    this.#confirming ??= this.#pingUnlessLagging(timeoutMs)
      .then(
        () => true,
        () => {
          if (this.#databaseUp) this.options.logger?.warn('the database does not answer: failing fast');
          this.#databaseUp = false;
          this.#databaseSlowRounds = Math.max(this.#databaseSlowRounds, 2);
          void this.refresh();
          this.#watchRecovery();
          return false;
        },
      )
      .finally(() => {
        this.#confirming = undefined;
      });
    return this.#confirming;
  }

  /**
   * A ping that did not answer in time because this process's event loop was busy (its timer fired late:
   * the answer may be waiting in the socket) says nothing about the database: it is tried again, and a
   * second late timer counts as an answer. Only a ping that missed a timer kept on time fails.
   */
  async #pingUnlessLagging(timeoutMs: number): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const started = performance.now();
      try {
        await withTimeout(this.options.ping(), timeoutMs);
        return;
      } catch (error) {
        const late = performance.now() - started - timeoutMs;
        if (!(error instanceof ProbeTimeout) || late < EVENT_LOOP_LAG_MS) throw error;
      }
    }
  }

  #recovering = false;
  #stopped = false;

  /** After `confirmDatabase` marked the database down: pings until it answers, also when no probe runs. */
  #watchRecovery(): void {
    if (this.#recovering || this.#stopped) return;
    this.#recovering = true;
    const attempt = () => {
      withTimeout(this.options.ping(), 1000).then(
        () => {
          this.#recovering = false;
          this.#databaseUp = true;
          this.#databaseSlowRounds = 0;
          void this.refresh();
        },
        () => {
          if (this.#stopped) this.#recovering = false;
          else setTimeout(attempt, 250).unref();
        },
      );
    };
    setTimeout(attempt, 250).unref();
  }

  /** One round: run the probes, record what changed, rebuild the view. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const now = this.deps.clock.now();
    const results = await Promise.all(
      this.#allProbes().map(async (probe) => {
        try {
          await withTimeout(probe.check(), 800);
          return { probe, ok: true, slow: false };
        } catch (error) {
          return { probe, ok: false, slow: error instanceof ProbeTimeout };
        }
      }),
    );
    // A refused or broken connection means the database is down at once. A ping that is only slow
    // (a loaded machine, a long transaction ahead of it on the embedded engine) counts from the
    // second slow round in a row: one slow ping must not turn every API call into a 503.
    const database = results.find((r) => r.probe.name === 'database');
    this.#databaseSlowRounds = database?.slow ? this.#databaseSlowRounds + 1 : 0;
    this.#databaseUp = !database || database.ok || (database.slow && this.#databaseSlowRounds < 2);
    for (const { probe, ok } of results) await this.#record(probe, ok, now);
    await this.refresh();
  }

  async #record(probe: Probe, ok: boolean, now: Date): Promise<void> {
    const state = this.#probes.get(probe.name) ?? { failures: 0, successes: 0, down: null };
    this.#probes.set(probe.name, state);
    if (ok) {
      state.failures = 0;
      state.successes += 1;
      if (state.down && state.successes === 1) state.down.recoveringSince = now;
    } else {
      state.successes = 0;
      state.failures += 1;
      if (state.down) {
        state.down.recoveringSince = null;
        state.down.failed += 1;
        state.down.lastFailure = now;
      }
      if (state.failures === 1) state.firstFailure = now;
    }
    if (!ok && !state.down && state.failures >= this.#failuresToOpen) {
      state.down = {
        since: state.firstFailure ?? now,
        incidentId: null,
        recoveringSince: null,
        failed: state.failures,
        lastFailure: now,
        recorded: 0,
      };
      this.options.logger?.warn({ probe: probe.name }, 'probe failing: opening an incident');
    }
    if (state.down && !state.down.incidentId && this.#databaseUp) {
      const shared = this.options.sharedIncidents;
      try {
        const down = state.down;
        const adopted = await shared?.adopt(probe.title, down.since);
        down.incidentId =
          adopted ??
          (
            await openIncident(
              this.deps,
              {
                title: probe.title,
                impact: 'major_outage',
                services: probe.services,
                startedAt: down.since,
                message: `Rilevato automaticamente: il controllo "${probe.name}" non riesce da ${this.#failuresToOpen} tentativi consecutivi.`,
              },
              PROBE_ACTOR,
            )
          ).id;
      } catch (error) {
        // Another process opened it first (the unique index of migration 0016): adopt theirs.
        const down = state.down;
        const adopted = shared && (await shared.adopt(probe.title, down.since).catch(() => null));
        if (adopted) down.incidentId = adopted;
        else
          this.options.logger?.error(
            { err: error, probe: probe.name },
            'could not record the probe incident yet',
          );
      }
    }
    if (state.down?.incidentId && this.#databaseUp && state.down.failed > state.down.recorded) {
      // The failed rounds not yet in the incident's evidence (all of them while the database was down).
      const { failed, recorded } = state.down;
      const first = recorded === 0 ? state.down.since : state.down.lastFailure;
      if (
        await this.#evidence(probe, state.down.incidentId, first, state.down.lastFailure, failed - recorded)
      )
        state.down.recorded = failed;
    }
    if (ok && state.down && state.successes >= this.#successesToClose && this.#databaseUp) {
      try {
        if (state.down.incidentId) {
          await updateIncident(
            this.deps,
            {
              incident: state.down.incidentId,
              state: 'resolved',
              message: `Servizio ripristinato: il controllo "${probe.name}" riesce da ${this.#successesToClose} tentativi consecutivi.`,
              resolvedAt: state.down.recoveringSince ?? now,
            },
            PROBE_ACTOR,
          );
        }
        state.down = null;
      } catch (error) {
        // Another process resolved the incident first: the outage is recorded, nothing left to do.
        const incidentId = state.down?.incidentId;
        const recorded = incidentId
          ? await this.deps.store.incidents.findIncident(incidentId).catch(() => undefined)
          : undefined;
        if (recorded?.state === 'resolved') state.down = null;
        else
          this.options.logger?.error(
            { err: error, probe: probe.name },
            'could not resolve the probe incident yet',
          );
      }
    }
  }

  /** Evidence is best effort: a failure to record it never stops the probes. */
  async #evidence(
    probe: Probe,
    incidentId: string,
    first: Date,
    last: Date,
    failures: number,
  ): Promise<boolean> {
    try {
      await recordProbeEvidence(this.deps, {
        incidentId,
        probe: probe.name,
        firstFailureAt: first,
        lastFailureAt: last,
        failures,
      });
      return true;
    } catch (error) {
      this.options.logger?.warn({ err: error, probe: probe.name }, 'could not record the probe evidence');
      return false;
    }
  }

  /** Rebuilds the view from the database; when it does not answer, keeps the last view and says so. */
  async refresh(): Promise<void> {
    const now = this.deps.clock.now();
    if (this.#databaseUp) {
      try {
        // Bounded: a database that stops answering mid-call must not stall the probe rounds.
        const facts = await withTimeout(loadStatusFacts(this.deps), REFRESH_TIMEOUT_MS);
        this.#services = facts.services;
        this.#base = composeStatusView({ ...facts, databaseUp: true, stale: false });
        this.#view = this.#withPending(this.#base, now);
        this.options.snapshot?.write(this.#view);
        return;
      } catch (error) {
        this.options.logger?.warn({ err: error }, 'status refresh failed: serving the last view');
      }
    }
    this.#view = this.#withPending(
      { ...this.#base, database: this.#databaseUp ? 'reachable' : 'unreachable', stale: true },
      now,
    );
  }

  /** Overlays the failures not (yet) recorded in the database. */
  #withPending(view: StatusView, now: Date): StatusView {
    const pending: IncidentView[] = [];
    for (const probe of this.#allProbes()) {
      const state = this.#probes.get(probe.name);
      if (!state?.down || state.down.incidentId) continue;
      pending.push({
        id: `pending-${probe.name}`,
        code: 'INC-IN-REGISTRAZIONE',
        title: probe.title,
        impact: 'major_outage',
        state: 'investigating',
        services: probe.services,
        startedAt: state.down.since.toISOString(),
        resolvedAt: null,
        source: 'probe',
        updates: [
          {
            at: state.down.since.toISOString(),
            state: 'investigating',
            message: 'Rilevato automaticamente dai controlli del servizio.',
          },
        ],
      });
    }
    // The base may come from a snapshot taken during an outage: drop its overlay before adding ours.
    const recorded = view.incidents.filter((i) => !i.id.startsWith('pending-'));
    if (pending.length === 0)
      return recorded.length === view.incidents.length ? view : { ...view, incidents: recorded };
    const down = new Set(pending.flatMap((p) => p.services));
    const services = view.services.map((s) =>
      down.has(s.code) ? { ...s, state: 'major_outage' as ServiceState } : s,
    );
    return {
      ...view,
      generatedAt: now.toISOString(),
      overall: 'major_outage',
      services,
      incidents: [...pending, ...recorded],
    };
  }

  start(intervalMs: number): void {
    void this.tick();
    this.#timer = setInterval(() => void this.tick(), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#ticking;
  }
}

function emptyView(now: Date): StatusView {
  return {
    generatedAt: now.toISOString(),
    overall: 'operational',
    database: 'reachable',
    stale: true,
    services: [],
    incidents: [],
    maintenances: [],
  };
}

class ProbeTimeout extends Error {}

/** A timer firing this much later than asked means the event loop was busy, not the database slow. */
const EVENT_LOOP_LAG_MS = 100;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
