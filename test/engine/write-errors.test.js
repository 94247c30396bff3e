'use strict';
/**
 * Write operations' failure paths in n8n's real engine against the sandbox over HTTP: what is
 * refused before any request, lookups that fail with a message saying why, the platform's French
 * business errors quoted with an English fix, and the legacy annotation path chosen by
 * introspection on the sandbox's fork mode. Names and numbers below are the sandbox's seed facts
 * (sandbox/README.md).
 */
const { startSandbox } = require('../../sandbox');
const { NODE_TYPES, runWorkflow } = require('../helpers/engine');
const { forgetCapabilities } = require('../helpers/capabilities');

const CLAIRE = 'claire.martin@demarches-exemple.gouv.fr'; // groupes 501 and 502
const PAUL = 'paul.bernard@demarches-exemple.gouv.fr'; // groupe 501 only
const DOSSIER_IN_502 = 10001; // démarche 1001, groupe 502 "Instruction renforcée", en_instruction

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 300 });
});
afterAll(async () => {
	await sb?.stop();
});
beforeEach(async () => {
	forgetCapabilities();
	await fetch(`${sb.controlUrl}/requests`, { method: 'DELETE' });
	await fetch(`${sb.controlUrl}/modes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ forkMode: false }) });
});

const control = async (path) => (await fetch(`${sb.controlUrl}${path}`)).json();
const operationsSent = async (token = 'admin') => (await control(`/requests?token=${token}`)).map((r) => r.operationName);

async function run(parameters, { token = sb.tokens.admin, input } = {}) {
	const result = await runWorkflow({
		// Version 1's `annotations.annotation[]`, as saved workflows hold them.
		nodes: [{ type: NODE_TYPES.action, typeVersion: parameters.annotations !== undefined ? 1 : undefined, parameters }],
		credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token } },
		input,
	});
	return result;
}

const dossier = (number) => ({ __rl: true, mode: 'id', value: String(number) });
const instructeur = (email) => ({ __rl: true, mode: 'email', value: email });

it('refuse whose motivation evaluates to nothing fails before any request reaches the platform', async () => {
	// An empty literal is caught by n8n itself (required parameter); an expression is only known at run time.
	const result = await run(
		{ resource: 'dossier', operation: 'refuse', dossier: dossier(DOSSIER_IN_502), instructeur: instructeur(CLAIRE), motivation: '={{ $json.motivation }}' },
		{ input: [{ json: { motivation: '  ' } }] },
	);
	expect(result.error.message).toBe('A motivation is required for this decision');
	expect(await operationsSent()).toEqual([]);
});

it('an instructeur e-mail without access to the dossier says where that person is instructeur', async () => {
	const result = await run({ resource: 'dossier', operation: 'passerEnInstruction', dossier: dossier(DOSSIER_IN_502), instructeur: instructeur(PAUL) });
	expect(result.error.message).toBe(`The instructeur ${PAUL} has no access to dossier ${DOSSIER_IN_502}`);
	expect(result.error.description).toMatch(/instructeur of "défaut" \(n° 501\), but the dossier belongs to the groupe instructeur "Instruction renforcée" \(n° 502\)/);
	expect(await operationsSent()).toEqual(['GetDossierContext', 'GetDemarcheGroupeInstructeurs']);
});

it('an instructeur ID without access gets the platform\'s French message and the English fix', async () => {
	const paulId = sb.facts.instructeurs.find((i) => i.email === PAUL).id;
	const result = await run({ resource: 'dossier', operation: 'follow', dossier: dossier(DOSSIER_IN_502), instructeur: { __rl: true, mode: 'id', value: paulId } });
	expect(result.error.message).toBe('Démarche Numérique refused dossierBasculeSuivi: L’instructeur n’a pas les droits d’accès à ce dossier');
	expect(result.error.description).toMatch(/cannot act on this dossier.*add them to the groupe/);
	expect(await operationsSent()).toEqual(['DossierBasculeSuivi']);
});

it('an unknown label name lists the démarche\'s labels', async () => {
	const result = await run({ resource: 'dossier', operation: 'addLabel', dossier: dossier(DOSSIER_IN_502), label: 'Prioritaire' });
	expect(result.error.message).toBe('The démarche 1001 has no label "Prioritaire"');
	expect(result.error.description).toMatch(/"Urgent", "À relancer", "Complet"/);
});

it('annotation values are checked against the descriptors before anything is written', async () => {
	const result = await run({
		resource: 'dossier',
		operation: 'updateAnnotations',
		dossier: dossier(DOSSIER_IN_502),
		instructeur: instructeur(CLAIRE),
		annotations: { annotation: [{ annotation: 'Priorité', value: 'Urgente' }, { annotation: 'Scrore', value: '3' }] },
	});
	expect(result.error.message).toMatch(/^"Urgente" is not an option of "Priorité". Options: "Haute", "Normale", "Basse"; No field "Scrore"/);
	expect(await operationsSent()).not.toContain('DossierModifierAnnotations');
});

it('a read-only token gets the platform\'s French message and the English fix', async () => {
	const result = await run(
		{ resource: 'dossier', operation: 'archive', dossier: dossier(DOSSIER_IN_502), instructeur: { __rl: true, mode: 'id', value: sb.facts.instructeurs[0].id } },
		{ token: sb.tokens.readOnly },
	);
	expect(result.error.message).toBe('Démarche Numérique refused dossierArchiver: Le jeton utilisé est configuré seulement en lecture');
	expect(result.error.description).toMatch(/read-only.*write access/);
	expect(JSON.stringify(result.error)).not.toContain(sb.tokens.readOnly);
});

it('continue-on-fail keeps going: one error item per failing input, paired with it', async () => {
	const result = await runWorkflow({
		nodes: [
			{
				type: NODE_TYPES.action,
				continueOnFail: true,
				parameters: { resource: 'dossier', operation: 'classerSansSuite', dossier: dossier(DOSSIER_IN_502), instructeur: instructeur(CLAIRE), motivation: '={{ $json.motivation }}' },
			},
		],
		credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.readOnly } },
		input: [{ json: { motivation: '' } }, { json: { motivation: 'Hors délai' } }],
	});
	const items = result.items('Démarche Numérique');
	expect(items.map((item) => [item.json.error, item.pairedItem])).toEqual([
		['A motivation is required for this decision', { item: 0 }],
		['Démarche Numérique refused dossierClasserSansSuite: Le jeton utilisé est configuré seulement en lecture', { item: 1 }],
	]);
});

describe('fork mode (no dossierModifierAnnotations)', () => {
	it('introspection sees the batch mutation normally, and the per-type ones on a fork', async () => {
		const parameters = {
			resource: 'dossier',
			operation: 'updateAnnotations',
			dossier: dossier(DOSSIER_IN_502),
			instructeur: instructeur(CLAIRE),
			annotations: { annotation: [{ annotation: 'Note interne', value: 'Relu' }] },
		};
		// A read-only token stops at the payload error, after the choice of mutation is made.
		await run(parameters, { token: sb.tokens.readOnly });
		expect(await operationsSent('readOnly')).toEqual(['GetDossierContext', 'GetDemarcheDescriptors', 'GetMutationNames', 'DossierModifierAnnotations']);

		forgetCapabilities();
		await fetch(`${sb.controlUrl}/requests`, { method: 'DELETE' });
		await fetch(`${sb.controlUrl}/modes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ forkMode: true }) });
		const result = await run(parameters, { token: sb.tokens.readOnly });
		expect(await operationsSent('readOnly')).toEqual(['GetDossierContext', 'GetDemarcheDescriptors', 'GetMutationNames', 'DossierModifierAnnotationText']);
		expect(result.error.message).toMatch(/seulement en lecture/);
	});
});

describe('uploads', () => {
	const post = (path, body) =>
		fetch(`${sb.controlUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	afterEach(async () => {
		await post('/clock', { real: true });
		await fetch(`${sb.controlUrl}/faults`, { method: 'DELETE' });
	});

	it('an upload that expired before the decision used it is the platform\'s error, with a retry fix', async () => {
		await fetch(`${sb.controlUrl}/storage-requests`, { method: 'DELETE' });
		// Hold the decision long enough to move the sandbox clock past the blob's one-hour validity.
		await post('/faults', { kind: 'delay', operationName: 'DossierAccepter', delayMs: 3000 });
		const running = run(
			{ resource: 'dossier', operation: 'accept', dossier: dossier(DOSSIER_IN_502), instructeur: instructeur(CLAIRE), options: { justificatifBinaryProperty: 'data' } },
			{ input: [{ json: {}, binary: { data: { data: Buffer.from('arrêté'), fileName: 'arrete.txt', mimeType: 'text/plain' } } }] },
		);
		for (let polls = 0; polls < 500; polls++) {
			const puts = (await control('/storage-requests')).filter((r) => r.method === 'PUT');
			if (puts.length) break;
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		await post('/clock', { advanceMs: 2 * 3600 * 1000 });
		const result = await running;
		expect(result.error.message).toBe('Démarche Numérique refused dossierAccepter: L’identifiant du fichier téléversé est invalide');
		expect(result.error.description).toMatch(/invalid or expired.*Retry the item/);
		expect((await control(`/dossiers/${DOSSIER_IN_502}`)).state).toBe('en_instruction');
	});

	it.each([
		['a newer platform (top-level unauthorized, PR #13547)', false],
		['an older platform (a null upload, invalid_null)', true],
	])('a read-only token uploading a file: "this token is read-only" with the fix, on %s', async (_name, olderServer) => {
		await post('/modes', { olderServer });
		try {
			const result = await run(
				{ resource: 'dossier', operation: 'accept', dossier: dossier(DOSSIER_IN_502), instructeur: instructeur(CLAIRE), options: { justificatifBinaryProperty: 'data' } },
				{ token: sb.tokens.readOnly, input: [{ json: {}, binary: { data: { data: Buffer.from('arrêté'), fileName: 'arrete.txt', mimeType: 'text/plain' } } }] },
			);
			expect(result.error.message).toBe('This token is read-only: the platform refused to upload "arrete.txt"');
			expect(result.error.description).toMatch(/write access \("lecture et écriture"\) in \/profil/);
			expect(await operationsSent('readOnly')).not.toContain('DossierAccepter');
		} finally {
			await post('/modes', { olderServer: false });
		}
	});
});

describe('GraphQL › Query never sends a change twice', () => {
	const post = (path, body) =>
		fetch(`${sb.controlUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
	const SEND = `mutation SendOnce($input: DossierEnvoyerMessageInput!) {
  dossierEnvoyerMessage(input: $input) { message { id body } errors { message } }
}`;
	async function messageRun(body, requestOptions) {
		const claireId = sb.facts.instructeurs.find((i) => i.email === CLAIRE).id;
		const variables = { input: { dossierId: Buffer.from(`Dossier-${DOSSIER_IN_502}`).toString('base64'), instructeurId: claireId, body } };
		return await run({ resource: 'graphql', operation: 'query', query: SEND, variables: JSON.stringify(variables), requestOptions });
	}
	const messagesWith = async (body) => {
		const data = await fetch(sb.graphqlUrl, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sb.tokens.admin}` },
			body: JSON.stringify({ query: `{ dossier(number: ${DOSSIER_IN_502}) { messages { body } } }` }),
		}).then((r) => r.json());
		return data.data.dossier.messages.filter((m) => m.body === body).length;
	};
	afterEach(() => fetch(`${sb.controlUrl}/faults`, { method: 'DELETE' }));

	it('a GraphQL › Query mutation hit by a 502 after it was applied is sent exactly once', async () => {
		await post('/faults', { kind: '502', operationName: 'SendOnce', afterExecute: true, count: 3 });
		const result = await messageRun('Envoyé une fois malgré le 502', { maxRetries: 3 });
		expect(result.error.message).toMatch(/HTTP 502/);
		expect(result.error.description).toMatch(/may or may not have been applied, so it was not sent again/);
		expect(await operationsSent()).toEqual(['SendOnce']);
		expect(await messagesWith('Envoyé une fois malgré le 502')).toBe(1);
	});

	it('one applied before the client timed out is not applied twice', async () => {
		await post('/faults', { kind: 'delay', delayMs: 2500, operationName: 'SendOnce', afterExecute: true, count: 3 });
		const result = await messageRun('Envoyé une fois malgré le délai', { timeout: 1, maxRetries: 3 });
		expect(result.error.message).toMatch(/Could not reach .* \(ECONNABORTED|ETIMEDOUT/);
		expect(result.error.description).toMatch(/may or may not have been applied/);
		expect(await operationsSent()).toEqual(['SendOnce']);
		expect(await messagesWith('Envoyé une fois malgré le délai')).toBe(1);
	});

	it('a read hit by a 502 is retried and succeeds', async () => {
		await post('/faults', { kind: '502', operationName: 'ReadTwice' });
		const result = await run({ resource: 'graphql', operation: 'query', query: 'query ReadTwice { demarche(number: 1001) { number } }', variables: '{}', requestOptions: { maxRetries: 2 } });
		expect(result.error).toBeUndefined();
		expect(await operationsSent()).toEqual(['ReadTwice', 'ReadTwice']);
	});

	it('a mutation refused in its payload is an error, not a success', async () => {
		const result = await messageRun('', {});
		expect(result.error.message).toBe('Démarche Numérique refused dossierEnvoyerMessage: Le champ « Votre message » ne peut être vide');
	});
});

describe('SVA/SVR démarches (PR #13710)', () => {
	const post = (path, body) =>
		fetch(`${sb.controlUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

	it('repasser en construction is refused; newer and older platforms alike, the node points to a correction request', async () => {
		const demarche = await post('/act/demarche', { title: 'Silence vaut accord', svaSvr: 'sva', groupes: [{ label: 'défaut', instructeurs: ['claire.martin'] }] });
		const { number } = await post('/act/deposit', { demarche: demarche.number });
		await post('/act/state', { number, state: 'en_instruction' });
		const params = { resource: 'dossier', operation: 'repasserEnConstruction', dossier: dossier(number), instructeur: instructeur(CLAIRE) };
		const newer = await run(params);
		expect(newer.error.message).toMatch(/^Démarche Numérique refused dossierRepasserEnConstruction: .*SVA\/SVR/);
		expect(newer.error.description).toMatch(/decides by silence \(SVA\/SVR\).*Correction Request/);
		await post('/modes', { olderServer: true });
		try {
			const older = await run(params);
			expect(older.error.message).toMatch(/HTTP 500/);
			expect(older.error.description).toMatch(/\(SVA\/SVR\), platforms older than mid-2026 fail this way.*Correction Request/);
		} finally {
			await post('/modes', { olderServer: false });
		}
		expect((await control(`/dossiers/${number}`)).state).toBe('en_instruction');
	});
});

it('an http:// instance URL other than this machine is refused before anything is sent', async () => {
	const result = await runWorkflow({
		nodes: [{ type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'get', dossier: dossier(DOSSIER_IN_502) } }],
		credentials: { demarcheNumeriqueApi: { baseUrl: 'http://demarche.numerique.gouv.fr', token: sb.tokens.admin } },
	});
	expect(result.error.message).toBe('The instance URL http://demarche.numerique.gouv.fr uses http://, which would send the token unencrypted');
	expect(result.error.description).toMatch(/https:\/\/demarche\.numerique\.gouv\.fr/);
	expect(JSON.stringify(result.error)).not.toContain(sb.tokens.admin);
});
