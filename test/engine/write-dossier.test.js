'use strict';
/**
 * Dossier write operations in n8n's real engine against the sandbox over HTTP, each checked by
 * reading the sandbox's state back through its control API (or its GraphQL API for what the
 * control view does not show), uploads compared byte for byte with what the storage serves back.
 * Names and numbers are the sandbox's seed facts (sandbox/README.md).
 */
const { createHash } = require('crypto');

const { startSandbox } = require('../../sandbox');
const { adminData } = require('../sandbox/helpers');
const { NODE_TYPES, jsonOf, runWorkflow } = require('../helpers/engine');
const { forgetCapabilities } = require('../helpers/capabilities');

const CLAIRE = 'claire.martin@demarches-exemple.gouv.fr'; // instructeur of both groupes of démarche 1001
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const CLAIRE_ID = b64('Instructeur-1');

let sb;
let numbers; // dossiers of démarche 1001 other than the showcase one
beforeAll(async () => {
	sb = await startSandbox({ size: 300 });
	const data = await gql(`{ demarche(number: 1001) { dossiers(first: 30) { nodes { number } } } }`);
	numbers = data.demarche.dossiers.nodes.map((n) => n.number).filter((n) => n !== sb.facts.everyChampDossier);
});
afterAll(async () => {
	await sb?.stop();
});
beforeEach(async () => {
	forgetCapabilities();
	await post('/modes', { forkMode: false });
	await fetch(`${sb.controlUrl}/requests`, { method: 'DELETE' });
});

async function post(path, body) {
	const response = await fetch(`${sb.controlUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
	return response.json();
}
const control = async (path) => (await fetch(`${sb.controlUrl}${path}`)).json();
const stored = (number) => control(`/dossiers/${number}`);
const operationsSent = async () => (await control('/requests?token=admin')).map((r) => r.operationName);

const gql = (query, variables) => adminData(sb, query, variables);

/** A dossier of démarche 1001 put in the given state through the control API (no business rules). */
let next = 0;
async function dossierIn(state, extra = {}) {
	const number = numbers[next++];
	await post('/act/state', { number, state });
	if (extra.archived !== undefined) await post('/act/archive', { number, archived: extra.archived });
	return number;
}

const dossier = (number) => ({ __rl: true, mode: 'id', value: String(number) });
const byEmail = { __rl: true, mode: 'email', value: CLAIRE };

/** Version 1's parameters (`annotations.annotation[]`), as saved workflows hold them; version 2 is write-mapped.test.js's. */
const versionOf = (parameters) => (parameters.annotations !== undefined ? 1 : undefined);

async function run(parameters, { input, token = sb.tokens.admin } = {}) {
	const result = await runWorkflow({
		nodes: [{ type: NODE_TYPES.action, typeVersion: versionOf(parameters), parameters: { resource: 'dossier', ...parameters } }],
		credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token } },
		input,
	});
	return { ...result, json: result.error ? [] : jsonOf(result.items('Démarche Numérique')) };
}

describe('state changes', () => {
	it('walks a dossier through every change, each read back from the sandbox', async () => {
		const number = await dossierIn('en_construction');
		const steps = [
			['passerEnInstruction', {}, 'en_instruction'],
			['accept', { motivation: 'Dossier complet' }, 'accepte'],
			['repasserEnInstruction', {}, 'en_instruction'],
			['refuse', { motivation: 'Pièces manquantes' }, 'refuse'],
			['repasserEnInstruction', {}, 'en_instruction'],
			['classerSansSuite', { motivation: 'Demande retirée' }, 'sans_suite'],
			['repasserEnInstruction', {}, 'en_instruction'],
			['repasserEnConstruction', {}, 'en_construction'],
		];
		for (const [operation, parameters, state] of steps) {
			const result = await run({ operation, dossier: dossier(number), instructeur: byEmail, ...parameters });
			expect([operation, result.error?.message]).toEqual([operation, undefined]);
			expect(result.json[0]).toMatchObject({ number, state });
			expect((await stored(number)).state).toBe(state);
		}
		const { dossier: read } = await gql(`query($n: Int!) { dossier(number: $n) { traitements { state } } }`, { n: number });
		expect(read.traitements.map((t) => t.state)).toEqual(expect.arrayContaining(['accepte', 'refuse', 'sans_suite']));
	});

	it('disableNotification reaches the platform: the usager is not e-mailed', async () => {
		const number = await dossierIn('en_construction');
		await run({ operation: 'passerEnInstruction', dossier: dossier(number), instructeur: byEmail, options: { disableNotification: true } });
		const other = await dossierIn('en_construction');
		await run({ operation: 'passerEnInstruction', dossier: dossier(other), instructeur: byEmail });
		const notifications = await control('/notifications');
		expect(notifications.filter((n) => n.dossierNumber === number).map((n) => n.sent)).toEqual([false]);
		expect(notifications.filter((n) => n.dossierNumber === other).map((n) => n.sent)).toEqual([true]);
	});

	it('accept with a justificatif: uploaded byte for byte, served back as the decision\'s attachment', async () => {
		const number = await dossierIn('en_instruction');
		// ASCII file name: the sandbox's storage cannot serve a non-ASCII Content-Disposition yet (reported).
		const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 31) % 256))]);
		const result = await run(
			{ operation: 'accept', dossier: dossier(number), instructeur: byEmail, motivation: 'Voir la décision jointe', options: { justificatifBinaryProperty: 'decision' } },
			{ input: [{ json: {}, binary: { decision: { data: bytes, fileName: 'decision-signee.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(result.error).toBeUndefined();
		const md5 = createHash('md5').update(bytes).digest('base64');
		expect(result.json[0].justificatif).toEqual({ filename: 'decision-signee.pdf', byteSize: bytes.length, checksum: md5 });

		const { dossier: read } = await gql(`query($n: Int!) { dossier(number: $n) { state motivation motivationAttachment { filename checksum url } } }`, { n: number });
		expect(read).toMatchObject({ state: 'accepte', motivation: 'Voir la décision jointe', motivationAttachment: { filename: 'decision-signee.pdf', checksum: md5 } });
		const served = Buffer.from(await (await fetch(read.motivationAttachment.url)).arrayBuffer());
		expect(Buffer.compare(served, bytes)).toBe(0);

		// The PUT carried exactly the returned headers and never the token.
		const puts = (await control('/storage-requests')).filter((r) => r.method === 'PUT');
		expect(puts.length).toBeGreaterThan(0);
		const put = puts[puts.length - 1];
		expect(put.headers['content-md5']).toBe(md5);
		expect(put.headers['content-type']).toBe('application/pdf');
		expect(put.headers.authorization).toBeUndefined();
		expect(JSON.stringify(puts)).not.toContain(sb.tokens.admin);
	});

	it('a wrong state quotes the platform\'s French message with an English fix', async () => {
		const number = await dossierIn('en_construction');
		const result = await run({ operation: 'accept', dossier: dossier(number), instructeur: byEmail });
		expect(result.error.message).toBe('Démarche Numérique refused dossierAccepter: Le dossier est déjà en construction');
		expect(result.error.description).toMatch(/not in a state that allows this change/);
	});

	it('"succeed if already in target state" makes re-runs pass, but not a different state', async () => {
		const number = await dossierIn('accepte');
		const again = await run({ operation: 'accept', dossier: dossier(number), instructeur: byEmail, options: { succeedIfAlreadyInTargetState: true } });
		expect(again.error).toBeUndefined();
		expect(again.json[0]).toMatchObject({ number, state: 'accepte', alreadyInTargetState: true });

		const constructing = await dossierIn('en_construction');
		const wrong = await run({ operation: 'refuse', dossier: dossier(constructing), instructeur: byEmail, motivation: 'x', options: { succeedIfAlreadyInTargetState: true } });
		expect(wrong.error.message).toMatch(/Le dossier est déjà en construction/);
		expect((await stored(constructing)).state).toBe('en_construction');
	});

	it('an e-mail is resolved once for many items; each further item costs only its mutation', async () => {
		const a = await dossierIn('en_construction');
		const b = await dossierIn('en_construction');
		const result = await runWorkflow({
			nodes: [{ type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'passerEnInstruction', dossier: { __rl: true, mode: 'id', value: '={{ $json.number }}' }, instructeur: byEmail } }],
			credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
			input: [{ json: { number: a } }, { json: { number: b } }],
		});
		expect(result.error).toBeUndefined();
		expect(await operationsSent()).toEqual(['GetDossierContext', 'DossierPasserEnInstruction', 'DossierPasserEnInstruction']);
		expect([(await stored(a)).state, (await stored(b)).state]).toEqual(['en_instruction', 'en_instruction']);
	});
});

describe('archive, follow, labels, groupe', () => {
	it('archives and unarchives a dossier with a decision', async () => {
		const number = await dossierIn('refuse', { archived: false });
		expect((await run({ operation: 'archive', dossier: dossier(number), instructeur: byEmail })).json[0]).toMatchObject({ archived: true });
		expect((await stored(number)).archived).toBe(true);
		await run({ operation: 'unarchive', dossier: dossier(number), instructeur: byEmail });
		expect((await stored(number)).archived).toBe(false);
	});

	it('archiving a dossier without a decision quotes the platform', async () => {
		const number = await dossierIn('en_instruction');
		const result = await run({ operation: 'archive', dossier: dossier(number), instructeur: byEmail });
		expect(result.error.message).toMatch(/qu’une fois le traitement terminé/);
		expect(result.error.description).toMatch(/final decision/);
	});

	it('follows and unfollows', async () => {
		const number = await dossierIn('en_instruction');
		const followers = async () => (await gql(`query($n: Int!) { dossier(number: $n) { instructeurs { email } } }`, { n: number })).dossier.instructeurs.map((i) => i.email);
		const followed = await run({ operation: 'follow', dossier: dossier(number), instructeur: { __rl: true, mode: 'id', value: CLAIRE_ID } });
		expect(followed.json[0].instructeurs.map((i) => i.email)).toContain(CLAIRE);
		expect(await followers()).toContain(CLAIRE);
		await run({ operation: 'unfollow', dossier: dossier(number), instructeur: byEmail });
		expect(await followers()).not.toContain(CLAIRE);
	});

	it('adds and removes a label by name or ID', async () => {
		const number = await dossierIn('en_instruction');
		const before = (await stored(number)).labels;
		await run({ operation: 'addLabel', dossier: dossier(number), label: before.includes('Complet') ? 'Urgent' : 'complet' });
		const added = before.includes('Complet') ? 'Urgent' : 'Complet';
		expect((await stored(number)).labels).toContain(added);

		const labelId = (await gql(`{ demarche(number: 1001) { labels { id name } } }`)).demarche.labels.find((l) => l.name === added).id;
		const removed = await run({ operation: 'removeLabel', dossier: dossier(number), label: labelId });
		expect(removed.json[0].labels.map((l) => l.name)).not.toContain(added);
		expect((await stored(number)).labels).not.toContain(added);

		const twice = await run({ operation: 'removeLabel', dossier: dossier(number), label: added });
		expect(twice.error.message).toMatch(/Ce label n’est pas associé au dossier/);
		expect(twice.error.description).toMatch(/nothing to remove/);
	});

	it('a label name is looked up once for many dossiers of the démarche; each dossier\'s démarche is read, never guessed', async () => {
		const candidates = [];
		for (const number of numbers.slice(next)) {
			if (!(await stored(number)).labels.includes('Complet')) candidates.push(number);
			if (candidates.length === 2) break;
		}
		const result = await runWorkflow({
			nodes: [{ type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'addLabel', dossier: { __rl: true, mode: 'id', value: '={{ $json.number }}' }, label: 'Complet' } }],
			credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
			input: candidates.map((number) => ({ json: { number } })),
		});
		expect(result.error).toBeUndefined();
		expect(await operationsSent()).toEqual(['GetDossierContext', 'GetDemarcheLabels', 'DossierAjouterLabel', 'GetDossierContext', 'DossierAjouterLabel']);
		for (const number of candidates) expect((await stored(number)).labels).toContain('Complet');
	});

	it('moves a dossier to another groupe instructeur', async () => {
		const number = await dossierIn('en_construction');
		const target = (await stored(number)).groupe === 501 ? 502 : 501;
		const result = await run({ operation: 'changeGroupeInstructeur', dossier: dossier(number), groupeInstructeur: { __rl: true, mode: 'id', value: String(target) } });
		expect(result.json[0].groupeInstructeur.number).toBe(target);
		expect((await stored(number)).groupe).toBe(target);
	});
});

describe('messages', () => {
	it('sends a message with an attachment and a correction request, then deletes it', async () => {
		const number = await dossierIn('en_instruction', { archived: false });
		const before = (await stored(number)).messages;
		const bytes = Buffer.from('Liste des pièces à fournir :\n- RIB\n- Statuts\n', 'utf8');
		const sent = await run(
			{ operation: 'sendMessage', dossier: dossier(number), instructeur: byEmail, body: 'Merci de compléter votre dossier.', options: { attachmentBinaryProperty: 'data', correction: 'incomplete' } },
			{ input: [{ json: {}, binary: { data: { data: bytes, fileName: 'pieces.txt', mimeType: 'text/plain' } } }] },
		);
		expect(sent.error).toBeUndefined();
		const message = sent.json[0];
		expect(message).toMatchObject({ body: 'Merci de compléter votre dossier.', correction: { reason: 'incomplete' } });
		const after = await stored(number);
		expect(after.messages).toBe(before + 1);
		expect(after.state).toBe('en_construction'); // a correction request sends it back to the usager

		const { dossier: read } = await gql(`query($n: Int!) { dossier(number: $n) { messages { id attachments { filename url } } } }`, { n: number });
		const attachment = read.messages.find((m) => m.id === message.id).attachments[0];
		expect(attachment.filename).toBe('pieces.txt');
		expect(Buffer.compare(Buffer.from(await (await fetch(attachment.url)).arrayBuffer()), bytes)).toBe(0);

		const deleted = await run({ operation: 'deleteMessage', dossier: dossier(number), instructeur: byEmail, messageId: message.id });
		expect(deleted.error).toBeUndefined();
		const { dossier: again } = await gql(`query($n: Int!) { dossier(number: $n) { messages { id discardedAt } } }`, { n: number });
		const kept = again.messages.find((m) => m.id === message.id);
		expect(kept === undefined || kept.discardedAt !== null).toBe(true);
	});
});

describe('annotations', () => {
	const annotations = [
		{ annotation: 'Note interne', value: 'Relu par le service' },
		{ annotation: 'Avis détaillé', value: 'Avis favorable\nsous réserve' },
		{ annotation: 'E-mail du référent', value: 'referent.nord@demarches-exemple.gouv.fr' },
		{ annotation: 'Pièces vérifiées', value: 'oui' },
		{ annotation: 'Visite sur place nécessaire', value: 'true' },
		{ annotation: 'Date de la commission', value: '12/09/2026' },
		{ annotation: 'Score', value: '42' },
		{ annotation: 'Montant accordé', value: '1500,5' },
		{ annotation: 'Priorité', value: 'basse' },
	];
	const values = async (number) => Object.fromEntries((await stored(number)).annotations.map((a) => [a.label, a.stringValue]));

	it('writes many typed annotations in one dossierModifierAnnotations call', async () => {
		const number = await dossierIn('en_instruction');
		const result = await run({
			operation: 'updateAnnotations',
			dossier: dossier(number),
			instructeur: byEmail,
			annotations: { annotation: [...annotations, { annotation: 'Services consultés', value: 'Voirie, Finances' }, { annotation: 'Contrôles', value: '2' }] },
		});
		expect(result.error).toBeUndefined();
		expect((await operationsSent()).filter((name) => /^DossierModifier/.test(name))).toEqual(['DossierModifierAnnotations']);
		const written = await values(number);
		expect(written).toMatchObject({
			'Note interne': 'Relu par le service',
			'Avis détaillé': 'Avis favorable\nsous réserve',
			'E-mail du référent': 'referent.nord@demarches-exemple.gouv.fr',
			'Pièces vérifiées': 'true',
			'Visite sur place nécessaire': 'true',
			Score: '42',
			'Montant accordé': '1500.5',
			Priorité: 'Basse',
			'Services consultés': 'Voirie, Finances',
		});
		expect(written['Date de la commission']).toMatch(/^12 septembre 2026$/);
		const { dossier: read } = await gql(`query($n: Int!) { dossier(number: $n) { annotations { label ... on RepetitionChamp { rows { id } } } } }`, { n: number });
		expect(read.annotations.find((a) => a.label === 'Contrôles').rows.length).toBeGreaterThanOrEqual(2);
	});

	it('a batch with one bad annotation writes the others and the output lists both (continue-on-fail item and error alike); rows are never resent', async () => {
		const number = await dossierIn('en_instruction');
		const rowsOf = async () => {
			const { dossier: read } = await gql(`query($n: Int!) { dossier(number: $n) { annotations { label ... on RepetitionChamp { rows { id } } } } }`, { n: number });
			return read.annotations.find((a) => a.label === 'Contrôles').rows.length;
		};
		const rowsBefore = await rowsOf();
		const batch = [
			{ annotation: 'Note interne', value: 'Écrite malgré le refus voisin' },
			// Well-formed for the node, refused by the platform: no dossier has this number.
			{ annotation: 'Dossier précédent', value: '99999999' },
			{ annotation: 'Score', value: '18' },
			{ annotation: 'Contrôles', value: '1' },
		];
		const result = await runWorkflow({
			nodes: [{ type: NODE_TYPES.action, typeVersion: 1, continueOnFail: true, parameters: { resource: 'dossier', operation: 'updateAnnotations', dossier: dossier(number), instructeur: byEmail, annotations: { annotation: batch } } }],
			credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
		});
		const [item] = jsonOf(result.items('Démarche Numérique'));
		expect(item.error).toBe(`Démarche Numérique wrote 3 of 4 annotations of dossier ${number} and refused "Dossier précédent": Le dossier n’existe pas`);
		expect(item.written).toEqual(['Note interne', 'Score', 'Contrôles']);
		expect(item.failed).toEqual([{ annotation: 'Dossier précédent', id: expect.any(String), error: 'Le dossier n’existe pas' }]);
		expect(item.description).toMatch(/^Written and saved: "Note interne", "Score", "Contrôles"\. Refused: "Dossier précédent"\..*add the rows of "Contrôles" again/);
		const written = await values(number);
		expect(written).toMatchObject({ 'Note interne': 'Écrite malgré le refus voisin', Score: '18' });
		expect(await rowsOf()).toBe(rowsBefore + 1);
		expect((await operationsSent()).filter((name) => /^DossierModifier/.test(name))).toEqual(['DossierModifierAnnotations']);

		// Without Continue On Fail: the same words in the error.
		const failed = await run({ operation: 'updateAnnotations', dossier: dossier(number), instructeur: byEmail, annotations: { annotation: batch.slice(0, 3) } });
		expect(failed.error.message).toBe(`Démarche Numérique wrote 2 of 3 annotations of dossier ${number} and refused "Dossier précédent": Le dossier n’existe pas`);
		expect(failed.error.description).not.toMatch(/Nothing was written/);
	});

	it('writes one annotation of each type of PR #13561, a file included, and reads them back', async () => {
		const created = await post('/act/demarche', {
			title: 'Annotations récentes',
			groupes: [{ label: 'défaut', instructeurs: ['claire.martin'] }],
			annotations: [
				{ type: 'phone', label: 'Téléphone du référent' },
				{ type: 'iban', label: 'IBAN' },
				{ type: 'formatted', label: 'Référence' },
				{ type: 'civilite', label: 'Civilité' },
				{ type: 'pays', label: 'Pays' },
				{ type: 'regions', label: 'Région' },
				{ type: 'departements', label: 'Département' },
				{ type: 'dossier_link', label: 'Dossier lié' },
				{ type: 'piece_justificative', label: 'Rapport' },
			],
		});
		const { number } = await post('/act/deposit', { demarche: created.number });
		const bytes = Buffer.from('%PDF-1.4\nRapport de visite\n', 'utf8');
		const result = await run(
			{
				operation: 'updateAnnotations',
				dossier: dossier(number),
				instructeur: byEmail,
				annotations: {
					annotation: [
						{ annotation: 'Téléphone du référent', value: '06 12 34 56 78' },
						{ annotation: 'IBAN', value: 'FR76 3000 6000 0112 3456 7890 189' },
						{ annotation: 'Référence', value: 'REF-42' },
						{ annotation: 'Civilité', value: 'M.' },
						{ annotation: 'Pays', value: 'BE' },
						{ annotation: 'Région', value: 'Bretagne' },
						{ annotation: 'Département', value: '29' },
						{ annotation: 'Dossier lié', value: String(sb.facts.everyChampDossier) },
						{ annotation: 'Rapport', value: 'rapport' },
					],
				},
			},
			{ input: [{ json: {}, binary: { rapport: { data: bytes, fileName: 'rapport.pdf', mimeType: 'application/pdf' } } }] },
		);
		expect(result.error).toBeUndefined();
		expect(result.json[0].written).toHaveLength(9);
		const { dossier: read } = await gql(
			`query($n: Int!) { dossier(number: $n) { annotations { label stringValue
				... on CiviliteChamp { civilite: value } ... on PaysChamp { pays { code } } ... on RegionChamp { region { code } }
				... on DepartementChamp { departement { code } } ... on PieceJustificativeChamp { files { filename checksum url } } } } }`,
			{ n: number },
		);
		const byLabel = Object.fromEntries(read.annotations.map((a) => [a.label, a]));
		expect(byLabel['Téléphone du référent'].stringValue).toBe('06 12 34 56 78');
		expect(byLabel.IBAN.stringValue).toBe('FR76 3000 6000 0112 3456 7890 189');
		expect(byLabel.Référence.stringValue).toBe('REF-42');
		expect(byLabel.Civilité.civilite).toBe('M');
		expect(byLabel.Pays.pays).toEqual({ code: 'BE' });
		expect(byLabel.Région.region).toEqual({ code: '53' });
		expect(byLabel.Département.departement).toEqual({ code: '29' });
		expect(byLabel['Dossier lié'].stringValue).toBe(String(sb.facts.everyChampDossier));
		const [file] = byLabel.Rapport.files;
		expect(file).toMatchObject({ filename: 'rapport.pdf', checksum: createHash('md5').update(bytes).digest('base64') });
		expect(Buffer.compare(Buffer.from(await (await fetch(file.url)).arrayBuffer()), bytes)).toBe(0);
	});

	it('an older server (before PR #13561) refuses those types by name before anything is sent', async () => {
		await post('/modes', { olderServer: true });
		try {
			const created = await post('/act/demarche', { title: 'Ancien serveur', groupes: [{ label: 'défaut', instructeurs: ['claire.martin'] }], annotations: [{ type: 'phone', label: 'Téléphone' }] });
			const { number } = await post('/act/deposit', { demarche: created.number });
			const result = await run({ operation: 'updateAnnotations', dossier: dossier(number), instructeur: byEmail, annotations: { annotation: [{ annotation: 'Téléphone', value: '0612345678' }] } });
			expect(result.error.message).toMatch(/^This server cannot write "Téléphone" \(Phone\) through the API/);
			expect((await operationsSent()).filter((name) => /^DossierModifier|CreateDirectUpload/.test(name))).toEqual([]);
		} finally {
			await post('/modes', { olderServer: false });
		}
	});

	it('on a fork, a refusal halfway is reported the same way: the others are written', async () => {
		await post('/modes', { forkMode: true });
		const number = await dossierIn('en_instruction');
		const result = await run({
			operation: 'updateAnnotations',
			dossier: dossier(number),
			instructeur: byEmail,
			annotations: { annotation: [{ annotation: 'Note interne', value: 'Avant' }, { annotation: 'Montant accordé', value: '12,3456' }, { annotation: 'Score', value: '3' }] },
		});
		expect(result.error.message).toBe(`Démarche Numérique wrote 2 of 3 annotations of dossier ${number} and refused "Montant accordé": doit comprendre entre 1 et 3 chiffres après le point`);
		expect(await values(number)).toMatchObject({ 'Note interne': 'Avant', Score: '3' });
	});

	it('on a fork without the batch mutation, writes the same values through the per-type mutations', async () => {
		await post('/modes', { forkMode: true });
		const number = await dossierIn('en_instruction');
		// The per-type Text mutation writes text and textarea only, not e-mail.
		const legacy = annotations.filter((a) => a.annotation !== 'E-mail du référent');
		const result = await run({ operation: 'updateAnnotations', dossier: dossier(number), instructeur: byEmail, annotations: { annotation: legacy } });
		expect(result.error).toBeUndefined();
		expect(result.json[0].legacyMutations).toBe(true);
		const sent = (await operationsSent()).filter((name) => /^DossierModifier/.test(name));
		expect(sent).not.toContain('DossierModifierAnnotations');
		expect(sent).toEqual(expect.arrayContaining(['DossierModifierAnnotationText', 'DossierModifierAnnotationCheckbox', 'DossierModifierAnnotationDate', 'DossierModifierAnnotationIntegerNumber', 'DossierModifierAnnotationDecimalNumber', 'DossierModifierAnnotationDropDownList']));
		expect(await values(number)).toMatchObject({ 'Note interne': 'Relu par le service', Score: '42', 'Montant accordé': '1500.5', Priorité: 'Basse', 'Pièces vérifiées': 'true' });

		const multiple = await run({ operation: 'updateAnnotations', dossier: dossier(number), instructeur: byEmail, annotations: { annotation: [{ annotation: 'Services consultés', value: 'Voirie' }, { annotation: 'E-mail du référent', value: 'a@b.fr' }] } });
		expect(multiple.error.message).toMatch(/no dossierModifierAnnotations mutation.*"Services consultés".*"E-mail du référent"/);
	});
});

describe('dates the way the user means them', () => {
	it('a date-time typed in a workflow set to Europe/Paris reaches the platform as the same instant', async () => {
		const number = await dossierIn('en_instruction');
		const result = await runWorkflow({
			nodes: [
				{
					type: NODE_TYPES.action,
					typeVersion: 1,
					parameters: {
						resource: 'dossier',
						operation: 'updateAnnotations',
						dossier: dossier(number),
						instructeur: byEmail,
						annotations: { annotation: [{ annotation: 'Rendez-vous', value: '2026-03-31 14:30' }, { annotation: 'Date de la commission', value: '={{ $now.setZone("Europe/Paris").set({ year: 2026, month: 3, day: 31, hour: 0, minute: 30 }) }}' }] },
					},
				},
			],
			credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
			settings: { timezone: 'Europe/Paris' },
		});
		expect(result.error).toBeUndefined();
		const { dossier: read } = await gql(
			`query($n: Int!) { dossier(number: $n) { annotations { label ... on DatetimeChamp { datetime } ... on DateChamp { date } } } }`,
			{ n: number },
		);
		const byLabel = Object.fromEntries(read.annotations.map((a) => [a.label, a]));
		// 14:30 in Paris (summer time) is 12:30 UTC; the platform serves it in Paris time.
		expect(Date.parse(byLabel['Rendez-vous'].datetime)).toBe(Date.UTC(2026, 2, 31, 12, 30));
		expect(byLabel['Rendez-vous'].datetime).toBe('2026-03-31T14:30:00+02:00');
		// 00:30 in Paris on the 31st is still the 30th in UTC: the date is the one the user meant.
		expect(byLabel['Date de la commission'].date).toBe('2026-03-31');
	});

	it('Get Many\'s since-filter typed without a zone is read in the workflow\'s time zone', async () => {
		const created = await post('/act/demarche', { title: 'Dates', groupes: [{ label: 'défaut', instructeurs: ['claire.martin'] }] });
		// 08:30 in New York is 13:30 UTC: the first deposit is before it, the second after.
		const before = await post('/act/deposit', { demarche: created.number, at: '2025-01-15T12:00:00Z' });
		const after = await post('/act/deposit', { demarche: created.number, at: '2025-01-15T14:00:00Z' });
		const result = await runWorkflow({
			nodes: [{ type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'getMany', demarche: { __rl: true, mode: 'id', value: String(created.number) }, returnAll: true, filters: { updatedSince: '2025-01-15T08:30:00' } } }],
			credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
			settings: { timezone: 'America/New_York' },
		});
		expect(result.error).toBeUndefined();
		expect(jsonOf(result.items('Démarche Numérique')).map((d) => d.number)).toEqual([after.number]);
		expect(before.number).not.toBe(after.number);
	});
});

describe('decisions the platform refuses for another reason than the state', () => {
	let demarche;
	beforeAll(async () => {
		demarche = await post('/act/demarche', {
			title: 'Décisions avec annotations obligatoires',
			groupes: [{ label: 'défaut', instructeurs: ['claire.martin'] }],
			annotations: [
				{ type: 'text', label: 'Avis du service', required: true },
				{ type: 'text', label: 'Note facultative' },
			],
		});
	});
	const enInstruction = async () => {
		const { number } = await post('/act/deposit', { demarche: demarche.number });
		await post('/act/state', { number, state: 'en_instruction' });
		return number;
	};

	it('an accept blocked by an empty mandatory annotation fails with the real cause; Succeed If Already In Target State does not hide it', async () => {
		const number = await enInstruction();
		for (const options of [{}, { succeedIfAlreadyInTargetState: true }]) {
			const result = await run({ operation: 'accept', dossier: dossier(number), instructeur: byEmail, options });
			expect(result.error.message).toBe('Démarche Numérique refused dossierAccepter: Le dossier est déjà en instruction');
			expect(result.error.description).toMatch(/The dossier is en instruction, so this refusal is not about its state.*These mandatory private annotations are empty: "Avis du service"\..*Update Annotations/);
			expect((await stored(number)).state).toBe('en_instruction');
		}
		const filled = await run({ operation: 'updateAnnotations', dossier: dossier(number), instructeur: byEmail, annotations: { annotation: [{ annotation: 'Avis du service', value: 'Favorable' }] } });
		expect(filled.error).toBeUndefined();
		const accepted = await run({ operation: 'accept', dossier: dossier(number), instructeur: byEmail, options: { succeedIfAlreadyInTargetState: true } });
		expect(accepted.json[0]).toMatchObject({ state: 'accepte', alreadyInTargetState: false });
		// A re-run of the same item succeeds: the dossier really is accepté now.
		const again = await run({ operation: 'accept', dossier: dossier(number), instructeur: byEmail, options: { succeedIfAlreadyInTargetState: true } });
		expect(again.json[0]).toMatchObject({ state: 'accepte', alreadyInTargetState: true });
	});

	it('a passer en instruction blocked by a pending correction says so', async () => {
		await post(`/demarches/${demarche.number}/settings`, { flags: { blocking_pending_correction: true } });
		try {
			const { number } = await post('/act/deposit', { demarche: demarche.number });
			const asked = await run({ operation: 'sendMessage', dossier: dossier(number), instructeur: byEmail, body: 'Merci de corriger.', options: { correction: 'incorrect' } });
			expect(asked.error).toBeUndefined();
			const result = await run({ operation: 'passerEnInstruction', dossier: dossier(number), instructeur: byEmail, options: { succeedIfAlreadyInTargetState: true } });
			expect(result.error.message).toBe('Démarche Numérique refused dossierPasserEnInstruction: Le dossier est en attente de correction');
			expect(result.error.description).toMatch(/correction requested from the usager is still pending/);
		} finally {
			await post(`/demarches/${demarche.number}/settings`, { flags: { blocking_pending_correction: false } });
		}
	});

	it('a correction the platform cannot record: refused on newer platforms, a plain message on older ones (and the node says so)', async () => {
		const number = await dossierIn('accepte', { archived: false });
		const newer = await run({ operation: 'sendMessage', dossier: dossier(number), instructeur: byEmail, body: 'Une pièce manque.', options: { correction: 'incomplete' } });
		expect(newer.error.message).toBe('Démarche Numérique refused dossierEnvoyerMessage: Le dossier ne peut pas faire l’objet d’une demande de correction car il est accepté');
		expect(newer.error.description).toMatch(/Repasser En Instruction\)\. Nothing was sent\./);
		const before = (await stored(number)).messages;
		await post('/modes', { olderServer: true });
		try {
			const older = await run({ operation: 'sendMessage', dossier: dossier(number), instructeur: byEmail, body: 'Une pièce manque.', options: { correction: 'incomplete' } });
			expect(older.error.message).toBe('The platform sent the message but recorded no correction request');
			expect(older.error.description).toMatch(/The message was sent: do not run this item again/);
			expect((await stored(number)).messages).toBe(before + 1);
		} finally {
			await post('/modes', { olderServer: false });
		}
	});

	it('each state change adds the platform’s own message: message counts stay right', async () => {
		const number = await dossierIn('en_construction', { archived: false });
		const before = (await stored(number)).messages;
		await run({ operation: 'passerEnInstruction', dossier: dossier(number), instructeur: byEmail });
		expect((await stored(number)).messages).toBe(before + 1);
		const { dossier: read } = await gql(`query($n: Int!) { dossier(number: $n) { messages { email body } } }`, { n: number });
		expect(read.messages.slice(-1)[0]).toMatchObject({ email: 'contact@demarche.numerique.gouv.fr', body: expect.stringMatching(/^<p>\[Votre dossier n° \d+ va être examiné/) });
	});
});

it('uploads to OpenStack Swift storage too: the node sends the headers the platform returns, verbatim', async () => {
	await post('/modes', { uploadBackend: 'swift' });
	try {
		const number = await dossierIn('en_instruction', { archived: false });
		const bytes = Buffer.from('Pièce envoyée vers Swift\n', 'utf8');
		const sent = await run(
			{ operation: 'sendMessage', dossier: dossier(number), instructeur: byEmail, body: '', options: { attachmentBinaryProperty: 'data' } },
			{ input: [{ json: {}, binary: { data: { data: bytes, fileName: 'swift.txt', mimeType: 'text/plain' } } }] },
		);
		expect(sent.error).toBeUndefined();
		const { dossier: read } = await gql(`query($n: Int!) { dossier(number: $n) { messages { id attachments { filename url } } } }`, { n: number });
		const file = read.messages.find((m) => m.id === sent.json[0].id).attachments[0];
		expect(file.filename).toBe('swift.txt');
		expect(Buffer.compare(Buffer.from(await (await fetch(file.url)).arrayBuffer()), bytes)).toBe(0);
	} finally {
		await post('/modes', { uploadBackend: 's3' });
	}
});
