'use strict';
/** Throttle, injected faults, clock-independent actions: late commits and the event log. */
const { control, gql, start, DOSSIER_PAGE } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 300 });
});
afterAll(() => sandbox.stop());
afterEach(async () => {
	await control(sandbox, 'DELETE', '/faults');
	await control(sandbox, 'POST', '/throttle', { limit: 400, periodSeconds: 60 });
});

const TITLE = '{ demarche(number: 1002) { title } }';

describe('throttle', () => {
	it('answers 429 in plain text with RateLimit headers and no Retry-After, per Authorization header', async () => {
		// Frozen mid-window, so the window cannot roll over during the test and the reset is exact.
		await control(sandbox, 'POST', '/clock', { set: '2026-03-02T10:00:30Z' });
		await control(sandbox, 'POST', '/throttle', { limit: 3, periodSeconds: 60 });
		for (let i = 0; i < 3; i++) expect((await gql(sandbox, TITLE)).status).toBe(200);
		const throttled = await gql(sandbox, TITLE);
		expect(throttled.status).toBe(429);
		// Rack::Attack's responder sets no Content-Type.
		expect(throttled.headers.get('content-type')).toBeNull();
		expect(throttled.text).toMatch(/Calm down, cowboy!/);
		expect(throttled.headers.get('ratelimit-remaining')).toBe('0');
		expect(Number(throttled.headers.get('ratelimit-reset'))).toBe(
			Date.parse('2026-03-02T10:01:00Z') / 1000,
		);
		expect(throttled.headers.get('retry-after')).toBeNull();
		// The platform keys the counter on the raw header: the other header form has its own budget.
		expect((await gql(sandbox, TITLE, {}, `Bearer token=${sandbox.tokens.admin}`)).status).toBe(
			200,
		);
		await control(sandbox, 'POST', '/clock', { real: true });
	});

	it('a throttled mutation never reaches the application: nothing is applied', async () => {
		const { gid } = require('./mutations-helpers');
		const { number } = await control(sandbox, 'POST', '/act/deposit', { demarche: 1001 });
		const before = (await control(sandbox, 'GET', `/dossiers/${number}`)).messages;
		await control(sandbox, 'POST', '/clock', { set: '2026-03-02T11:00:30Z' });
		await control(sandbox, 'POST', '/throttle', { limit: 1, periodSeconds: 60 });
		try {
			expect((await gql(sandbox, TITLE)).status).toBe(200);
			const send = await gql(
				sandbox,
				'mutation($input: DossierEnvoyerMessageInput!) { dossierEnvoyerMessage(input: $input) { errors { message } } }',
				{ input: { dossierId: gid('Dossier', number), instructeurId: sandbox.facts.instructeurs[0].id, body: 'jamais envoyé' } },
			);
			expect(send.status).toBe(429);
			expect((await control(sandbox, 'GET', `/dossiers/${number}`)).messages).toBe(before);
		} finally {
			await control(sandbox, 'POST', '/throttle', { limit: 400, periodSeconds: 60 });
			await control(sandbox, 'POST', '/clock', { real: true });
		}
	});
});

describe('faults', () => {
	const inject = (fault) => control(sandbox, 'POST', '/faults', fault);

	it('500 with exception_id, then back to normal', async () => {
		await inject({ kind: '500' });
		const res = await gql(sandbox, TITLE);
		expect(res.status).toBe(500);
		expect(res.json.errors[0]).toMatchObject({
			message: 'Internal Server Error',
			extensions: { code: 'internal_server_error' },
		});
		expect(res.json.errors[0].extensions.exception_id).toMatch(/^[0-9a-f-]{36}$/);
		expect((await gql(sandbox, TITLE)).status).toBe(200);
	});

	it.each(['502', '503'])('%s gateway errors as HTML', async (kind) => {
		await inject({ kind });
		const res = await gql(sandbox, TITLE);
		expect(res.status).toBe(Number(kind));
		expect(res.json).toBeNull();
	});

	it('only hits the targeted operationName, count times', async () => {
		await inject({ kind: '503', operationName: 'Target', count: 2 });
		expect(
			(
				await gql(
					sandbox,
					'query Other { demarche(number: 1002) { number } }',
					{},
					undefined,
					'Other',
				)
			).status,
		).toBe(200);
		expect(
			(
				await gql(
					sandbox,
					'query Target { demarche(number: 1002) { number } }',
					{},
					undefined,
					'Target',
				)
			).status,
		).toBe(503);
		expect(
			(
				await gql(
					sandbox,
					'query Target { demarche(number: 1002) { number } }',
					{},
					undefined,
					'Target',
				)
			).status,
		).toBe(503);
		expect(
			(
				await gql(
					sandbox,
					'query Target { demarche(number: 1002) { number } }',
					{},
					undefined,
					'Target',
				)
			).status,
		).toBe(200);
	});

	it('timeout: 200, the page load passes the deadline, every later field times out, the first error coded', async () => {
		await inject({ kind: 'timeout' });
		const res = await gql(sandbox, DOSSIER_PAGE, { d: 1002, first: 10 });
		expect(res.status).toBe(200);
		// DOSSIER_PAGE asks hasNextPage, then hasPreviousPage (Boolean!): the latter times out, and
		// the null goes up through PageInfo!, DossierConnection! and Demarche! to data.
		expect(res.json.data).toBeNull();
		expect(res.json.errors[0]).toMatchObject({
			message: 'Timeout on PageInfo.hasPreviousPage',
			path: ['demarche', 'dossiers', 'pageInfo', 'hasPreviousPage'],
			extensions: { code: 'timeout' },
		});
		expect(res.json.errors.slice(1).every((e) => !e.extensions)).toBe(true);
	});

	it('invalid_null on one dossier: that node is null, the others are served', async () => {
		const first = (await gql(sandbox, DOSSIER_PAGE, { d: 1002, first: 5 })).json.data.demarche
			.dossiers.nodes;
		await inject({ kind: 'invalid_null', dossier: first[2].number });
		const res = await gql(sandbox, DOSSIER_PAGE, { d: 1002, first: 5 });
		expect(res.status).toBe(200);
		expect(res.json.errors[0].extensions.code).toBe('invalid_null');
		const nodes = res.json.data.demarche.dossiers.nodes;
		expect(nodes[2]).toBeNull();
		expect(nodes.filter(Boolean).map((n) => n.number)).toEqual(
			first.filter((_n, i) => i !== 2).map((n) => n.number),
		);
	});

	it('connection reset', async () => {
		await inject({ kind: 'reset' });
		await expect(gql(sandbox, TITLE)).rejects.toThrow();
	});

	it('malformed JSON with status 200', async () => {
		await inject({ kind: 'malformed' });
		const res = await gql(sandbox, TITLE);
		expect(res.status).toBe(200);
		expect(res.json).toBeNull();
		expect(() => JSON.parse(res.text)).toThrow();
	});

	it('afterExecute: the mutation is applied, then its answer is lost (502, reset) or late (delay)', async () => {
		const { gid } = require('./mutations-helpers');
		const { number } = await control(sandbox, 'POST', '/act/deposit', { demarche: 1001 });
		const send = (operationName, body) =>
			fetch(sandbox.graphqlUrl, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sandbox.tokens.admin}` },
				body: JSON.stringify({
					operationName,
					query: `mutation ${operationName}($input: DossierEnvoyerMessageInput!) { dossierEnvoyerMessage(input: $input) { message { id } errors { message } } }`,
					variables: { input: { dossierId: gid('Dossier', number), instructeurId: sandbox.facts.instructeurs[0].id, body } },
				}),
			});
		const messages = async () => (await control(sandbox, 'GET', `/dossiers/${number}`)).messages;
		const dossier = await control(sandbox, 'GET', `/dossiers/${number}`);
		const groupe = (await control(sandbox, 'GET', '/demarches/1001')).groupes.find((g) => g.number === dossier.groupe);
		if (!groupe.instructeurIds.includes(1)) throw new Error('the first instructeur must be in the groupe');
		const before = await messages();
		await control(sandbox, 'POST', '/faults', { kind: '502', operationName: 'Lost', afterExecute: true });
		const lost = await send('Lost', 'perdu');
		expect(lost.status).toBe(502);
		expect(await messages()).toBe(before + 1);
		await control(sandbox, 'POST', '/faults', { kind: 'reset', operationName: 'Reset', afterExecute: true });
		await expect(send('Reset', 'coupé')).rejects.toThrow();
		expect(await messages()).toBe(before + 2);
		await control(sandbox, 'POST', '/faults', { kind: 'delay', delayMs: 300, operationName: 'Late', afterExecute: true });
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const late = fetch(sandbox.graphqlUrl, {
			method: 'POST',
			signal: controller.signal,
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sandbox.tokens.admin}` },
			body: JSON.stringify({
				operationName: 'Late',
				query: 'mutation Late($input: DossierEnvoyerMessageInput!) { dossierEnvoyerMessage(input: $input) { errors { message } } }',
				variables: { input: { dossierId: gid('Dossier', number), instructeurId: sandbox.facts.instructeurs[0].id, body: 'en retard' } },
			}),
		});
		await expect(late).rejects.toThrow();
		expect(await messages()).toBe(before + 3);
		await expect(control(sandbox, 'POST', '/faults', { kind: 'timeout', afterExecute: true })).rejects.toThrow(/afterExecute applies to/);
	});

	it('delay, recorded in the request log with its timing and operationName', async () => {
		await control(sandbox, 'DELETE', '/requests');
		await inject({ kind: 'delay', delayMs: 300 });
		await gql(sandbox, 'query Slow { demarche(number: 1002) { number } }', {}, undefined, 'Slow');
		const log = await control(sandbox, 'GET', '/requests?token=admin');
		expect(log).toHaveLength(1);
		expect(log[0]).toMatchObject({
			operationName: 'Slow',
			token: 'admin',
			fault: 'delay',
			status: 200,
		});
		expect(log[0].headers.authorization).toBe(`Bearer ${sandbox.tokens.admin}`);
		expect(log[0].durationMs).toBeGreaterThanOrEqual(300);
	});
});

describe('actions and the event log', () => {
	it('records deposits, updates, state changes (with the previous state) and deletions in sequence', async () => {
		const before = await control(sandbox, 'GET', '/events');
		const since = before.length ? before[before.length - 1].sequence : 0;
		const deposited = await control(sandbox, 'POST', '/act/deposit', {
			demarche: 1003,
			values: { 'Nature de l’occupation': 'Terrasse' },
		});
		await control(sandbox, 'POST', '/act/update', {
			number: deposited.number,
			values: { Précisions: 'Terrasse de 12 m²' },
		});
		await control(sandbox, 'POST', '/act/state', {
			number: deposited.number,
			state: 'en_instruction',
		});
		await control(sandbox, 'POST', '/act/delete', { number: deposited.number, pending: true });
		const events = await control(sandbox, 'GET', `/events?since=${since}`);
		expect(events.map((e) => [e.type, e.dossierNumber])).toEqual([
			['deposited', deposited.number],
			['updated', deposited.number],
			['stateChanged', deposited.number],
			['pendingDeleted', deposited.number],
		]);
		expect(events[2]).toMatchObject({ previousState: 'en_construction', state: 'en_instruction' });
		expect(events.map((e) => e.sequence)).toEqual([since + 1, since + 2, since + 3, since + 4]);
	});

	it('serves a deposited dossier with its values, and a state change through the API', async () => {
		const deposited = await control(sandbox, 'POST', '/act/deposit', {
			demarche: 1003,
			values: { 'Nature de l’occupation': 'Benne' },
		});
		await control(sandbox, 'POST', '/act/state', {
			number: deposited.number,
			state: 'accepte',
			motivation: 'Conforme',
		});
		const res = await gql(
			sandbox,
			`{ dossier(number: ${deposited.number}) { state motivation traitements { event } champs { label stringValue } } }`,
		);
		const dossier = res.json.data.dossier;
		expect(dossier.state).toBe('accepte');
		expect(dossier.motivation).toBe('Conforme');
		expect(dossier.traitements.map((t) => t.event)).toEqual(['depose', 'accepte']);
		expect(dossier.champs.find((c) => c.label === 'Nature de l’occupation').stringValue).toBe(
			'Benne',
		);
	});

	it('late commit: a modification dated behind rows already served is missed by the cursor, found from updatedSince', async () => {
		const since = '2025-09-01T00:00:00+02:00';
		const walk = async (after) => {
			const res = await gql(sandbox, DOSSIER_PAGE, {
				d: 1002,
				first: 100,
				updatedSince: since,
				after,
			});
			return res.json.data.demarche.dossiers;
		};
		let connection = await walk(null);
		const seen = new Set(connection.nodes.map((n) => n.number));
		while (connection.pageInfo.hasNextPage) {
			connection = await walk(connection.pageInfo.endCursor);
			connection.nodes.forEach((n) => seen.add(n.number));
		}
		const cursor = connection.pageInfo.endCursor;
		const old = (await gql(sandbox, DOSSIER_PAGE, { d: 1002, first: 1 })).json.data.demarche
			.dossiers.nodes[0];
		expect(seen.has(old.number)).toBe(false);
		const late = await control(sandbox, 'POST', '/act/late-commit', {
			number: old.number,
			behindMs: 60000,
		});
		expect(Date.parse(late.dateDerniereModification)).toBeLessThan(
			Date.parse(late.lastServedModifiedAt),
		);
		const after = await walk(cursor);
		expect(after.nodes.map((n) => n.number)).not.toContain(old.number);
		expect(after.pageInfo.endCursor).toBeNull();
		const again = [];
		let page = await walk(null);
		again.push(...page.nodes.map((n) => n.number));
		while (page.pageInfo.hasNextPage) {
			page = await walk(page.pageInfo.endCursor);
			again.push(...page.nodes.map((n) => n.number));
		}
		expect(again).toContain(old.number);
	});
});
