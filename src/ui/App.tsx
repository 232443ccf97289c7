import { Box, Text, useApp } from 'ink';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { messageOf } from '../errors.js';
import type { RunHandle } from '../executor/events.js';
import { makePlan } from '../planner/make-plan.js';
import type { Plan } from '../planner/plan-schema.js';
import type { Topology } from '../topology/types.js';
import { adjust, goalOf, initialBuilder, mastersInOrder, moveCursor, type BuilderState } from './builder-state.js';
import { ConfirmStart } from './ConfirmStart.js';
import type { TuiController, TuiOutcome } from './controller.js';
import { KeyHelp } from './KeyHelp.js';
import { Overview } from './Overview.js';
import { PlanBuilder } from './PlanBuilder.js';
import { RunTracker } from './run-tracker.js';
import { RunView } from './RunView.js';
import { SCREEN_KEYS, type Screen } from './screens.js';
import { SummaryView } from './SummaryView.js';
import { useKeys } from './use-keys.js';
import { useTerminalSize } from './use-terminal-size.js';
import { useTicker } from './use-ticker.js';

export interface AppProps {
  /** The outside world: reading the cluster, starting runs, saving plans. */
  readonly controller: TuiController;
  /** The cluster as first read (the command reads it before rendering, so a bad seed fails plainly). */
  readonly initial: Topology;
  /** Open on the confirmation of this plan instead of the overview. */
  readonly plan?: Plan;
  /** Overview refresh period, ms (0: only on `r`). */
  readonly refreshMs?: number;
  /** Shortest time between two frames of the execution view, ms (costly frames wait longer). */
  readonly frameMs?: number;
  /** Called once when the user quits, with how things ended. */
  readonly onExit?: (outcome: TuiOutcome) => void;
}

interface Running {
  /** The executor's run, steered by the keys. */
  readonly handle: RunHandle & { interrupt?(immediate: boolean): void };
  /** Figures the execution view draws, folded from the run's events. */
  readonly tracker: RunTracker;
  /** The plan being applied (its before figures feed the summary). */
  readonly plan: Plan;
}

/** The whole terminal UI: overview → plan builder → confirmation → execution → summary. */
export function App({ controller, initial, plan: given, refreshMs = 5000, frameMs = 250, onExit }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const [screen, setScreen] = useState<Screen>(given ? 'confirm' : 'overview');
  const [topology, setTopology] = useState(initial);
  const [readAt, setReadAt] = useState(Date.now());
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const masters = useMemo(() => mastersInOrder(topology), [topology]);
  const [builder, setBuilder] = useState<BuilderState>(() => initialBuilder(mastersInOrder(initial)));
  const [message, setMessage] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState<Plan | null>(given ?? null);
  const [run, setRun] = useState<Running | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [after, setAfter] = useState<Topology | null>(null);
  const [, setClock] = useState(0);
  useTicker(screen === 'run' ? (run?.tracker ?? null) : null, frameMs);

  const refresh = useCallback(() => {
    setRefreshing(true);
    controller.readTopology().then(
      (t) => {
        setTopology(t);
        setReadAt(Date.now());
        setRefreshError(null);
        setRefreshing(false);
      },
      (error: unknown) => {
        setRefreshError(messageOf(error));
        setRefreshing(false);
      },
    );
  }, [controller]);

  // The overview refreshes itself; nothing is read while a run is going (it would cost the run).
  useEffect(() => {
    if (screen !== 'overview' || !refreshMs) return;
    const timer = setInterval(refresh, refreshMs);
    const clock = setInterval(() => setClock((c) => c + 1), 1000);
    return () => {
      clearInterval(timer);
      clearInterval(clock);
    };
  }, [screen, refreshMs, refresh]);

  const preview = useMemo((): { plan: Plan } | { error: string } => {
    try {
      return { plan: makePlan(topology, goalOf(builder, masters), topology.seed) };
    } catch (error) {
      return { error: messageOf(error) };
    }
  }, [topology, builder, masters]);

  const quit = (): void => {
    onExit?.({ summary: run?.tracker.summary ?? null, journal: run?.tracker.journal ?? null });
    exit();
  };

  /** Start from a key handler, never from an effect: the run lives on its own, the UI only follows it. */
  const start = (plan: Plan): void => {
    const handle = controller.startRun(plan);
    const tracker = new RunTracker(plan);
    tracker.follow(handle);
    setRun({ handle, tracker, plan });
    setRunError(null);
    setScreen('run');
    handle.done.then(
      () =>
        controller.readTopology().then(
          (t) => {
            setAfter(t);
            setTopology(t);
            setScreen('summary');
          },
          () => setScreen('summary'),
        ),
      (error: unknown) => setRunError(messageOf(error)),
    );
  };

  useKeys((input, key) => {
    const ctrlC = key.ctrl && input === 'c';
    if (screen === 'run') {
      if (!run) return;
      const finished = run.tracker.summary !== null || runError !== null;
      if (ctrlC) {
        if (finished) quit();
        else if (run.tracker.stopping) run.handle.abort(true);
        else run.handle.abort(false);
      } else if (input === 'p') run.handle.pause();
      else if (input === 'r') run.handle.resume();
      else if (input === '+' || input === '=') run.handle.setConcurrency(Math.min(4096, run.handle.concurrency * 2));
      else if (input === '-' || input === '_') run.handle.setConcurrency(Math.max(1, Math.floor(run.handle.concurrency / 2)));
      else if (input === 'a') run.handle.abort(false);
      else if (input === 'q' && finished) quit();
      else if (key.escape && runError) setScreen('overview');
      // Steering emits its event synchronously: draw it now rather than at the next paced frame.
      setClock((c) => c + 1);
      return;
    }
    if (ctrlC || (input === 'q' && screen !== 'confirm')) return quit();
    if (screen === 'overview') {
      if (input === 'b' || key.return) {
        setMessage(null);
        setScreen('builder');
      } else if (input === 'r') refresh();
    } else if (screen === 'builder') {
      if (key.upArrow) setBuilder((s) => moveCursor(s, masters, -1));
      else if (key.downArrow || key.tab) setBuilder((s) => moveCursor(s, masters, 1));
      else if (key.leftArrow) setBuilder((s) => adjust(s, masters, -1, key.shift));
      else if (key.rightArrow) setBuilder((s) => adjust(s, masters, 1, key.shift));
      else if (key.escape) setScreen('overview');
      else if (input === 's' && 'plan' in preview) {
        try {
          setMessage(`plan saved to ${controller.savePlan(preview.plan)}`);
        } catch (error) {
          setMessage(`cannot save: ${messageOf(error)}`);
        }
      } else if (key.return) {
        if (!('plan' in preview)) setMessage('fix the plan first');
        else if (!preview.plan.moves.length) setMessage('nothing to move: the plan is empty');
        else {
          setConfirmed(preview.plan);
          setScreen('confirm');
        }
      }
    } else if (screen === 'confirm') {
      if (input === 'y' && confirmed) start(confirmed);
      else if (input === 'n' || key.escape) setScreen(given ? 'overview' : 'builder');
    } else if (screen === 'summary') {
      if (input === 'o') {
        setScreen('overview');
        refresh();
      }
    }
  });

  const freshness = refreshing ? 'refreshing…' : refreshError ? `refresh failed: ${refreshError}` : `read ${Math.round((Date.now() - readAt) / 1000)} s ago`;
  return (
    <Box flexDirection="column" width={columns}>
      <Text>
        <Text bold color="cyan">
          slotpilot
        </Text>
        <Text dimColor> · {controller.seed} · {screen}</Text>
      </Text>
      {screen === 'overview' ? <Overview topology={topology} columns={columns} rows={rows} freshness={freshness} /> : null}
      {screen === 'builder' ? <PlanBuilder state={builder} masters={masters} preview={preview} columns={columns} rows={rows} message={message} /> : null}
      {screen === 'confirm' && confirmed ? <ConfirmStart plan={confirmed} settings={controller.settings} /> : null}
      {screen === 'run' && run ? (
        runError ? (
          <Box flexDirection="column">
            <Text color="red">✗ {runError}</Text>
            <Text dimColor>nothing was changed by this attempt · esc: back to the overview</Text>
          </Box>
        ) : (
          <>
            {/* No spinner: each of its frames redraws the whole screen, which the run then pays for. */}
            {run.tracker.startedAt === null ? <Text>pre-flight: checking the plan against the cluster…</Text> : null}
            <RunView tracker={run.tracker} columns={columns} rows={rows} now={Date.now()} />
          </>
        )
      ) : null}
      {screen === 'summary' && run?.tracker.summary ? <SummaryView plan={run.plan} summary={run.tracker.summary} bytesMoved={run.tracker.bytesMoved} journal={run.tracker.journal} failures={run.tracker.failures} after={after} columns={columns} /> : null}
      <Box marginTop={1}>
        <KeyHelp keys={screen === 'run' && runError ? [['esc', 'back'], ['q', 'quit']] : SCREEN_KEYS[screen]} />
      </Box>
    </Box>
  );
}
