/**
 * The polling trigger's logic, pure and testable without n8n (the node does the I/O):
 *  - stream.ts: one list's cursor, overlap window and deduplication memory;
 *  - transitions.ts: state changes read from traitements, and the per-dossier counts;
 *  - incrementalSync.ts: the trigger's state over its lists, what each request asks, what is new;
 *  - poll.ts: one poll end to end, with the platform call injected;
 *  - lease.ts: one poll at a time per trigger.
 * The webhook trigger's logic (webhook.ts) is imported directly.
 */
export * from './incrementalSync';
export * from './lease';
export * from './poll';
export * from './stream';
export * from './transitions';
