// Live updates: Server-Sent Events from GET /api/live (what the event store appends, fed by the service's poller of the
// event table). fetch-event-source rather than EventSource, because a closed ledger's reads need a header.
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { credentials } from './api';

export type LiveState = 'connecting' | 'connected' | 'paused' | 'retrying' | 'off';

export interface LiveFeed {
  stop(): void;
}

class RetryLater extends Error {}

/** Calls `appended` for every event the ledger appends (debounced by the caller), and `state` when the connection changes. */
export function follow(appended: (sequence: number) => void, state: (state: LiveState) => void): LiveFeed {
  const stop = new AbortController();
  state('connecting');
  void fetchEventSource('/api/live', {
    signal: stop.signal,
    headers: credentials.headers(),
    openWhenHidden: true,
    async onopen(response) {
      if (response.ok && response.headers.get('content-type')?.startsWith('text/event-stream')) {
        state('connected');
        return;
      }

      // 401/403 will not pass by retrying; 429/503 and the rest might.
      if (response.status === 401 || response.status === 403) {
        throw new Error(`the live feed answered ${response.status}`);
      }

      throw new RetryLater();
    },
    onmessage(message) {
      if (message.event === 'appended' || message.event === 'overflow') {
        const sequence = Number(message.id);
        appended(Number.isFinite(sequence) ? sequence : 0);
      }
    },
    onerror(error) {
      if (stop.signal.aborted || !(error instanceof RetryLater || error instanceof TypeError)) {
        state('off');
        throw error;
      }

      state('retrying');
      return 3000;
    },
    onclose() {
      // The server ended the stream (a restart, a deploy): reconnect, resuming from the last id.
      state('retrying');
      throw new RetryLater();
    },
  }).catch(() => state(stop.signal.aborted ? 'paused' : 'off'));
  return { stop: () => stop.abort() };
}
