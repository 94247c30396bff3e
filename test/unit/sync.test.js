'use strict';
/**
 * The trigger's pure sync logic, driven across polls against a small in-memory list that pages
 * like the platform (keyset on (time, number), opaque cursor, empty page → endCursor null).
 */
const sync = require('../../nodes/DemarcheNumerique/sync');

const MINUTE = 60_000;
const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms) => new Date(ms).toISOString();
const options = (overrides = {}) => ({ ...sync.DEFAULT_SYNC_OPTIONS, ...overrides });

/** A platform list ordered by (time field, number), as `dossiers(updatedSince)` is. */
class FakeList {
	constructor(timeField) {
		this.timeField = timeField;
		this.rows = new Map();
	}

	put(number, time, extra = {}) {
		this.rows.set(number, { number, [this.timeField]: iso(time), ...extra });
		this.cache = null;
	}

	key(row) {
		return Date.parse(row[this.timeField]);
	}

	sorted() {
		if (!this.cache) {
			this.cache = [...this.rows.values()].sort((a, b) => this.key(a) - this.key(b) || a.number - b.number);
		}
		return this.cache;
	}

	/** Index of the first row after (time, number). */
	indexAfter(time, number) {
		const rows = this.sorted();
		let lo = 0;
		let hi = rows.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			const k = this.key(rows[mid]);
			if (k < time || (k === time && rows[mid].number <= number)) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	page({ since, after, first, last }) {
		const key = (row) => this.key(row);
		let start = since === null ? 0 : this.indexAfter(Date.parse(since), Number.NEGATIVE_INFINITY);
		if (after) {
			const [time, number] = after.split(':').map(Number);
			start = Math.max(start, this.indexAfter(time, number));
		}
		const rows = this.sorted().slice(start);
		const size = Math.min(first ?? last ?? 100, 100);
		const nodes = last ? rows.slice(-size) : rows.slice(0, size);
		const lastRow = nodes[nodes.length - 1];
		return {
			nodes,
			pageInfo: {
				hasNextPage: !last && rows.length > size,
				endCursor: lastRow ? `${key(lastRow)}:${lastRow.number}` : null,
			},
		};
	}
}

/** One poll of `event` against `lists` (by stream name), as the node runs it. */
function poll(state, event, lists, opts) {
	const memory = sync.pollMemory(state, event);
	const emissions = [];
	let request = sync.firstRequest(state, event, opts);
	let rowsRead = 0;
	let requests = 0;
	const overlap = { ...request.overlap };
	while (request) {
		requests++;
		const pending = [];
		for (const [name, list] of Object.entries(request.main)) {
			const page = lists[name].page(list);
			rowsRead += page.nodes.length;
			emissions.push(...sync.acceptPage(state, name, page.nodes, page.pageInfo, memory));
			if (page.pageInfo.hasNextPage) pending.push(name);
		}
		request = sync.nextRequest(state, pending, rowsRead, opts);
	}
	for (const [name, list] of Object.entries(overlap)) {
		let after = null;
		for (;;) {
			const page = lists[name].page({ ...list, after });
			const { late, more } = sync.acceptOverlap(state, name, page.nodes, page.pageInfo);
			// the node refetches late dossiers in full; here the list rows are the full rows
			emissions.push(...sync.acceptRows(state, name, late, memory));
			if (!more) break;
			requests++;
			after = page.pageInfo.endCursor;
		}
	}
	sync.finishPoll(state, memory, opts);
	return { emissions, requests, state: JSON.parse(JSON.stringify(state)) };
}

const numbersOf = (emissions) => emissions.map((e) => e.row.number);

describe('loadState', () => {
	const config = { scope: 'demarche:1', event: 'dossierUpdated', startFrom: 'now' };

	it('starts from now by default, from a date, or from the beginning', () => {
		expect(sync.loadState(undefined, config, T0).origin).toBe('2026-03-01T10:00:00.000Z');
		expect(
			sync.loadState(undefined, { ...config, startFrom: 'date', startDate: '2025-01-02T03:04:05Z' }, T0).origin,
		).toBe('2025-01-02T03:04:05.000Z');
		expect(Date.parse(sync.loadState(undefined, { ...config, startFrom: 'beginning' }, T0).origin)).toBeLessThan(
			Date.parse('2010-01-01'),
		);
	});

	it('keeps a stored state of the same settings and its fixed origin', () => {
		const first = sync.loadState(undefined, config, T0);
		first.streams.changes.cursor = 'abc';
		const again = sync.loadState(JSON.parse(JSON.stringify(first)), config, T0 + 60 * MINUTE);
		expect(again.origin).toBe('2026-03-01T10:00:00.000Z');
		expect(again.streams.changes.cursor).toBe('abc');
	});

	it('starts over when the démarche or the event changes', () => {
		const first = sync.loadState(undefined, config, T0);
		first.streams.changes.cursor = 'abc';
		const other = sync.loadState(first, { ...config, scope: 'demarche:2' }, T0 + MINUTE);
		expect(other.streams.changes.cursor).toBeNull();
		expect(other.origin).toBe(iso(T0 + MINUTE));
		const otherEvent = sync.loadState(first, { ...config, event: 'dossierDeleted' }, T0 + MINUTE);
		expect(Object.keys(otherEvent.streams).sort()).toEqual(['deleted', 'pending']);
	});

	it('rejects a start date that is not a date', () => {
		expect(() => sync.loadState(undefined, { ...config, startFrom: 'date', startDate: 'soon' }, T0)).toThrow(
			/not a date/,
		);
	});
});

describe('requests', () => {
	it('asks every list of the event in one request, with an overlap list once something was read', () => {
		const state = sync.loadState(undefined, { scope: 'demarche:1', event: 'dossierDeleted', startFrom: 'now' }, T0);
		let request = sync.firstRequest(state, 'dossierDeleted', options());
		expect(Object.keys(request.main).sort()).toEqual(['deleted', 'pending']);
		expect(request.overlap).toEqual({});
		state.streams.deleted.mark = T0 + 10 * MINUTE;
		request = sync.firstRequest(state, 'dossierDeleted', options({ overlapMs: 2 * MINUTE }));
		expect(request.overlap.deleted.since).toBe(iso(T0 + 8 * MINUTE));
		expect(request.main.deleted.since).toBe(iso(T0));
	});

	it('never asks more rows than the per-poll maximum', () => {
		const state = sync.loadState(undefined, { scope: 'demarche:1', event: 'dossierUpdated', startFrom: 'now' }, T0);
		expect(sync.firstRequest(state, 'dossierUpdated', options({ maxPerPoll: 30 })).main.changes.first).toBe(30);
		expect(sync.nextRequest(state, ['changes'], 100, options({ maxPerPoll: 130 })).main.changes.first).toBe(30);
		expect(sync.nextRequest(state, ['changes'], 130, options({ maxPerPoll: 130 }))).toBeNull();
		expect(sync.nextRequest(state, [], 0, options())).toBeNull();
	});

	it('asks the last rows of each list for a test event', () => {
		const request = sync.sampleRequest('dossierDeposited', 5);
		expect(request.main.deposits).toMatchObject({ last: 5, after: null });
		expect(request.main.deposits.first).toBeUndefined();
	});
});

describe('cursor and deduplication', () => {
	const config = { scope: 'demarche:1', event: 'dossierUpdated', startFrom: 'beginning' };

	it('keeps the cursor of the last non-empty page when a page comes back empty', () => {
		const state = sync.loadState(undefined, config, T0);
		const memory = sync.pollMemory(state, 'dossierUpdated');
		sync.acceptPage(state, 'changes', [{ number: 1, dateDerniereModification: iso(T0) }], { endCursor: 'c1' }, memory);
		expect(state.streams.changes.cursor).toBe('c1');
		sync.acceptPage(state, 'changes', [], { endCursor: null, hasNextPage: false }, memory);
		expect(state.streams.changes.cursor).toBe('c1');
	});

	it('emits a (number, modification time) once, and a newer modification again', () => {
		const state = sync.loadState(undefined, config, T0);
		const memory = sync.pollMemory(state, 'dossierUpdated');
		const row = { number: 7, dateDerniereModification: iso(T0) };
		expect(sync.acceptPage(state, 'changes', [row], { endCursor: 'a' }, memory)).toHaveLength(1);
		expect(sync.acceptRows(state, 'changes', [row], memory)).toHaveLength(0);
		const newer = { number: 7, dateDerniereModification: iso(T0 + 1000) };
		expect(sync.acceptRows(state, 'changes', [newer], memory)).toHaveLength(1);
	});

	it('emits a second change within the same printed second (the cursor is finer than the dates)', () => {
		const state = sync.loadState(undefined, config, T0);
		const memory = sync.pollMemory(state, 'dossierUpdated');
		const row = { number: 7, dateDerniereModification: '2026-03-01T11:00:00+01:00' };
		expect(sync.acceptPage(state, 'changes', [row], { endCursor: 'a' }, memory)).toHaveLength(1);
		expect(sync.acceptPage(state, 'changes', [{ ...row }], { endCursor: 'b' }, memory)).toHaveLength(1);
		// but the overlap list never repeats it
		expect(sync.acceptRows(state, 'changes', [{ ...row }], memory)).toHaveLength(0);
	});

	it('does not let the main list repeat a row the overlap list delivered', () => {
		const state = sync.loadState(undefined, config, T0);
		const memory = sync.pollMemory(state, 'dossierUpdated');
		const row = { number: 8, dateDerniereModification: iso(T0 + 5000) };
		expect(sync.acceptRows(state, 'changes', [row], memory, 'late')).toHaveLength(1);
		expect(sync.acceptPage(state, 'changes', [row], { endCursor: 'x' }, memory)).toHaveLength(0);
	});

	it('never reads the overlap window before the origin', () => {
		const state = sync.loadState(undefined, { ...config, startFrom: 'now' }, T0);
		state.streams.changes.mark = T0 + 1000;
		expect(sync.firstRequest(state, 'dossierUpdated', options({ overlapMs: 60_000 })).overlap.changes.since).toBe(iso(T0));
	});

	it('pages a backlog across polls, at most the maximum per poll, each dossier once', () => {
		const list = new FakeList('dateDerniereModification');
		for (let n = 1; n <= 1000; n++) list.put(n, T0 + n * 1000);
		let state = sync.loadState(undefined, config, T0);
		const opts = options({ maxPerPoll: 250 });
		const perPoll = [];
		const all = [];
		for (let i = 0; i < 5; i++) {
			const result = poll(state, 'dossierUpdated', { changes: list }, opts);
			state = result.state;
			perPoll.push(result.emissions.length);
			all.push(...numbersOf(result.emissions));
		}
		expect(perPoll).toEqual([250, 250, 250, 250, 0]);
		expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
	});

	it('costs one request when idle', () => {
		const list = new FakeList('dateDerniereModification');
		for (let n = 1; n <= 30; n++) list.put(n, T0 + n * 1000);
		let state = sync.loadState(undefined, config, T0);
		state = poll(state, 'dossierUpdated', { changes: list }, options()).state;
		const idle = poll(state, 'dossierUpdated', { changes: list }, options());
		expect(idle.emissions).toEqual([]);
		expect(idle.requests).toBe(1);
	});

	it('finds a row committed behind the cursor through the overlap window, once', () => {
		const list = new FakeList('dateDerniereModification');
		list.put(1, T0 + 10_000);
		list.put(2, T0 + 20_000);
		let state = sync.loadState(undefined, config, T0);
		state = poll(state, 'dossierUpdated', { changes: list }, options()).state;
		// dossier 3 commits late: its modification time is behind dossier 2, already served
		list.put(3, T0 + 15_000);
		list.put(4, T0 + 30_000);
		const next = poll(state, 'dossierUpdated', { changes: list }, options());
		expect(numbersOf(next.emissions).sort()).toEqual([3, 4]);
		const after = poll(next.state, 'dossierUpdated', { changes: list }, options());
		expect(after.emissions).toEqual([]);
	});

	it('misses nothing when more late rows than one overlap page exist', () => {
		const list = new FakeList('dateDerniereModification');
		list.put(1000, T0 + 60_000);
		let state = sync.loadState(undefined, config, T0);
		state = poll(state, 'dossierUpdated', { changes: list }, options()).state;
		for (let n = 1; n <= 150; n++) list.put(n, T0 + 30_000 + n);
		const next = poll(state, 'dossierUpdated', { changes: list }, options());
		expect(numbersOf(next.emissions).sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
	});

	it('forgets rows outside the overlap window, and the oldest beyond the memory cap', () => {
		const stream = sync.emptyStream();
		for (let n = 1; n <= 10; n++) sync.recordRow(stream, { number: n, time: n * 1000 });
		stream.mark = 10_000;
		sync.pruneStream(stream, 4000, 100);
		expect(Object.keys(stream.seen).map(Number).sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10]);
		expect(stream.floor).toBe(6000);
		sync.pruneStream(stream, 4000, 2);
		expect(Object.keys(stream.seen).map(Number).sort((a, b) => a - b)).toEqual([9, 10]);
		// a forgotten row is below the floor: never taken for a late one
		expect(sync.lateRows(stream, [{ number: 7, time: 7000 }])).toEqual([]);
		expect(sync.overlapStart(stream, 4000)).toBe(9000);
	});
});

describe('events', () => {
	const traitement = (event, state, ms) => ({ event, state, dateTraitement: iso(ms) });

	it('emits each state change since the origin once, with the previous state', () => {
		const state = sync.loadState(undefined, { scope: 'demarche:1', event: 'dossierStateChanged', startFrom: 'now' }, T0);
		const memory = sync.pollMemory(state, 'dossierStateChanged');
		const dossier = {
			number: 5,
			dateDerniereModification: iso(T0 + 3 * MINUTE),
			traitements: [
				traitement('depose', 'en_construction', T0 - 60 * MINUTE),
				traitement('passe_en_instruction', 'en_instruction', T0 - 30 * MINUTE),
				traitement('accepte', 'accepte', T0 + 2 * MINUTE),
				traitement('repasse_en_instruction', 'en_instruction', T0 + 3 * MINUTE),
			],
		};
		const first = sync.acceptRows(state, 'changes', [dossier], memory);
		expect(first.map((e) => [e.transition.previousState, e.transition.state])).toEqual([
			['en_instruction', 'accepte'],
			['accepte', 'en_instruction'],
		]);
		const later = {
			...dossier,
			dateDerniereModification: iso(T0 + 9 * MINUTE),
			traitements: [...dossier.traitements, traitement('refuse', 'refuse', T0 + 9 * MINUTE)],
		};
		const second = sync.acceptRows(state, 'changes', [later], memory);
		expect(second.map((e) => [e.transition.previousState, e.transition.state])).toEqual([['en_instruction', 'refuse']]);
		// a modification that is not a state change emits nothing
		const edited = { ...later, dateDerniereModification: iso(T0 + 10 * MINUTE) };
		expect(sync.acceptRows(state, 'changes', [edited], memory)).toEqual([]);
	});

	it('reads the state from the traitement event when the server drops the deprecated state', () => {
		expect(sync.stateOfTraitement({ event: 'classe_sans_suite' })).toBe('sans_suite');
		expect(sync.stateOfTraitement({ event: 'passe_en_instruction_automatiquement' })).toBe('en_instruction');
		expect(sync.stateOfTraitement({ event: 'something_new' })).toBeUndefined();
	});

	it('does not count a deposit or a correction as a state change', () => {
		const ordered = [
			{ event: 'depose', dateTraitement: iso(T0) },
			{ event: 'depose_correction_usager', dateTraitement: iso(T0 + 1) },
			{ event: 'passe_en_instruction', dateTraitement: iso(T0 + 2) },
		];
		expect(sync.transitionsFrom(ordered, 0)).toEqual([
			{ previousState: 'en_construction', state: 'en_instruction', date: iso(T0 + 2), event: 'passe_en_instruction' },
		]);
	});

	it('filters on the state the dossier is in, or the state a change leads to', () => {
		const row = { number: 1, state: 'accepte' };
		expect(sync.matchesStates({ stream: 'changes', row }, [])).toBe(true);
		expect(sync.matchesStates({ stream: 'changes', row }, ['refuse'])).toBe(false);
		expect(
			sync.matchesStates(
				{ stream: 'changes', row, transition: { previousState: 'accepte', state: 'refuse' } },
				['refuse'],
			),
		).toBe(true);
	});
});

describe('compact per-dossier memory', () => {
	it('round-trips numbers and counts, large and sparse', () => {
		const counts = new Map([
			[1, 0],
			[2, 1],
			[27, 26],
			[1_000_000, 3],
			[2_147_483_647, 700],
		]);
		const encoded = sync.encodeCounts(counts);
		expect(encoded).toMatch(/^[0-9a-zA-Z]+$/);
		expect([...sync.decodeCounts(encoded).entries()]).toEqual([...counts.entries()]);
		expect(sync.decodeCounts('').size).toBe(0);
	});

	it('keeps the static data of 100 000 dossiers under 1 MB', () => {
		// 100 000 dossiers with state changes, numbers spread as several démarches share one sequence
		const list = new FakeList('dateDerniereModification');
		let number = 1000;
		for (let i = 0; i < 100_000; i++) {
			number += 1 + (i % 7 === 0 ? 3 : 0);
			list.put(number, T0 + i * 10, {
				traitements: [
					{ event: 'depose', state: 'en_construction', dateTraitement: iso(T0 + i * 10 - 5) },
					{ event: 'passe_en_instruction', state: 'en_instruction', dateTraitement: iso(T0 + i * 10) },
				],
			});
		}
		let state = sync.loadState(undefined, { scope: 'demarche:1', event: 'dossierStateChanged', startFrom: 'beginning' }, T0);
		const opts = options({ maxPerPoll: 100_000 });
		const result = poll(state, 'dossierStateChanged', { changes: list }, opts);
		state = result.state;
		expect(result.emissions).toHaveLength(100_000);
		const size = Buffer.byteLength(JSON.stringify(state));
		console.log(`static data for 100 000 dossiers (dossierStateChanged): ${size} bytes`);
		expect(sync.decodeCounts(state.counts).size).toBe(100_000);
		expect(size).toBeLessThan(1_000_000);

		// the other events keep no per-dossier memory: only the bounded deduplication window
		let updated = sync.loadState(undefined, { scope: 'demarche:1', event: 'dossierUpdated', startFrom: 'beginning' }, T0);
		updated = poll(updated, 'dossierUpdated', { changes: list }, opts).state;
		const updatedSize = Buffer.byteLength(JSON.stringify(updated));
		console.log(`static data for 100 000 dossiers (dossierUpdated): ${updatedSize} bytes`);
		expect(Object.keys(updated.streams.changes.seen).length).toBeLessThanOrEqual(sync.DEFAULT_SYNC_OPTIONS.maxSeen);
		expect(updatedSize).toBeLessThan(200_000);
	});
});

describe('simulation: a random actor, late commits, backlogs', () => {
	/** Deterministic PRNG (mulberry32). */
	function random(seed) {
		let a = seed;
		return () => {
			a = (a + 0x6d2b79f5) | 0;
			let t = Math.imul(a ^ (a >>> 15), 1 | a);
			t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
			return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
		};
	}

	it.each([1, 2, 3])('emits every update exactly once over 300 polls (seed %i)', (seed) => {
		const rand = random(seed);
		const list = new FakeList('dateDerniereModification');
		let now = T0;
		let nextNumber = 1;
		const expected = [];
		let state = sync.loadState(undefined, { scope: 'demarche:1', event: 'dossierUpdated', startFrom: 'now' }, T0);
		const opts = options({ maxPerPoll: 40, overlapMs: 60_000, maxSeen: 1000 });
		const emitted = [];
		let lastServed = T0;
		for (let tick = 0; tick < 300; tick++) {
			const actions = Math.floor(rand() * 12);
			const touched = new Set();
			for (let i = 0; i < actions; i++) {
				now += 1 + Math.floor(rand() * 1500);
				const late = rand() < 0.15 && lastServed - 20_000 > T0;
				const time = late ? lastServed - Math.floor(rand() * 20_000) : now;
				const number = rand() < 0.4 || nextNumber === 1 ? nextNumber++ : 1 + Math.floor(rand() * (nextNumber - 1));
				const current = list.rows.get(number);
				if (touched.has(number) || (current && Date.parse(current.dateDerniereModification) >= time)) continue;
				touched.add(number);
				list.put(number, time);
			}
			const result = poll(state, 'dossierUpdated', { changes: list }, opts);
			state = result.state;
			for (const e of result.emissions) emitted.push(`${e.row.number}@${e.row.dateDerniereModification}`);
			lastServed = state.streams.changes.mark ?? lastServed;
			now += 1000;
		}
		// drain the backlog
		for (let i = 0; i < 50; i++) {
			const result = poll(state, 'dossierUpdated', { changes: list }, opts);
			state = result.state;
			for (const e of result.emissions) emitted.push(`${e.row.number}@${e.row.dateDerniereModification}`);
		}
		for (const row of list.rows.values()) expected.push(`${row.number}@${row.dateDerniereModification}`);
		expect(new Set(emitted).size).toBe(emitted.length);
		// every final version was emitted (earlier versions may be collapsed by a later change)
		const emittedSet = new Set(emitted);
		expect(expected.filter((key) => !emittedSet.has(key))).toEqual([]);
	});
});
