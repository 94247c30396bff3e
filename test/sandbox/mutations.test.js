'use strict';
/** Sandbox mutations over real HTTP: the dossier state machine and its French business errors. */
const { control, gql, start } = require('./helpers');
const { gid, actors, freshDossier, mutate, upload } = require('./mutations-helpers');

let sandbox;
let who;
beforeAll(async () => {
	sandbox = await start({ size: 60 });
	who = await actors(sandbox);
});
afterAll(() => sandbox.stop());

const DOSSIER_FIELDS =
	'dossier { number state motivation dateDerniereModification } errors { message }';
const stateInput = (number, extra = {}) => ({
	dossierId: gid('Dossier', number),
	instructeurId: who.insider.id,
	...extra,
});

// Which state each mutation accepts, and what it leads to (ds-api.md, the platform's mutations).
const TABLE = [
	['dossierPasserEnInstruction', 'en_construction', 'en_instruction', {}],
	['dossierAccepter', 'en_instruction', 'accepte', { motivation: 'Dossier complet' }],
	['dossierRefuser', 'en_instruction', 'refuse', { motivation: 'Pièces manquantes' }],
	['dossierClasserSansSuite', 'en_instruction', 'sans_suite', { motivation: 'Sans objet' }],
	['dossierRepasserEnInstruction', 'accepte', 'en_instruction', {}],
	['dossierRepasserEnInstruction', 'refuse', 'en_instruction', {}],
	['dossierRepasserEnInstruction', 'sans_suite', 'en_instruction', {}],
	['dossierRepasserEnConstruction', 'en_instruction', 'en_construction', {}],
];

describe.each(TABLE)('%s from %s', (name, from, to, extra) => {
	it(`leads to ${to}, with a traitement, a new dateDerniereModification and an event`, async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: from });
		const before = await control(sandbox, 'GET', `/dossiers/${number}`);
		const lastEvent = (await control(sandbox, 'GET', '/events')).pop().sequence;
		await control(sandbox, 'POST', '/clock', { set: before.dateDerniereModificationMs + 60000 });
		try {
			const res = await mutate(sandbox, name, stateInput(number, extra), DOSSIER_FIELDS);
			expect(res.data[name].errors).toBeNull();
			expect(res.data[name].dossier.state).toBe(to);
			expect(res.data[name].dossier.dateDerniereModification).not.toBe(
				before.dateDerniereModification,
			);
			const read = await gql(
				sandbox,
				`query($n: Int!) { dossier(number: $n) { state traitements { state emailAgentTraitant motivation } } }`,
				{ n: number },
			);
			const last = read.json.data.dossier.traitements.slice(-1)[0];
			expect(last).toEqual({
				state: to,
				emailAgentTraitant: who.insider.email,
				motivation: extra.motivation || null,
			});
			const events = await control(sandbox, 'GET', `/events?since=${lastEvent}`);
			expect(events).toContainEqual(
				expect.objectContaining({
					type: 'stateChanged',
					dossierNumber: number,
					previousState: from,
					state: to,
				}),
			);
		} finally {
			await control(sandbox, 'POST', '/clock', { real: true });
		}
	});
});

// Every state a mutation refuses, with the platform's message naming the current state.
const WRONG_STATES = [
	['dossierPasserEnInstruction', 'en_instruction', 'Le dossier est déjà en instruction'],
	['dossierPasserEnInstruction', 'accepte', 'Le dossier est déjà accepté'],
	['dossierAccepter', 'en_construction', 'Le dossier est déjà en construction'],
	['dossierAccepter', 'refuse', 'Le dossier est déjà refusé'],
	['dossierRefuser', 'accepte', 'Le dossier est déjà accepté'],
	['dossierClasserSansSuite', 'sans_suite', 'Le dossier est déjà classé sans suite'],
	['dossierRepasserEnInstruction', 'en_instruction', 'Le dossier est déjà en instruction'],
	['dossierRepasserEnInstruction', 'en_construction', 'Le dossier est déjà en construction'],
	['dossierRepasserEnConstruction', 'en_construction', 'Le dossier est déjà en construction'],
	['dossierRepasserEnConstruction', 'refuse', 'Le dossier est déjà refusé'],
];

it.each(WRONG_STATES)('%s on a dossier %s: "%s", nothing changes', async (name, state, message) => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number, state });
	const before = await control(sandbox, 'GET', `/dossiers/${number}`);
	const decision = ['dossierAccepter', 'dossierRefuser', 'dossierClasserSansSuite'].includes(name);
	const input = stateInput(number, decision ? { motivation: 'm' } : {});
	const res = await mutate(sandbox, name, input, DOSSIER_FIELDS);
	expect(res.errors).toBeUndefined();
	expect(res.data[name]).toEqual({ dossier: null, errors: [{ message }] });
	const after = await control(sandbox, 'GET', `/dossiers/${number}`);
	expect(after.state).toBe(state);
	expect(after.version).toBe(before.version);
});

it('makes the instructeur who passes a dossier en instruction follow it', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const res = await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(number),
		'dossier { instructeurs { email } } errors { message }',
	);
	expect(res.data.dossierPasserEnInstruction.dossier.instructeurs).toEqual([
		{ email: who.insider.email },
	]);
});

it('refuses an instructeur outside the dossier’s groupe', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const res = await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(number, { instructeurId: who.outsider.id }),
		DOSSIER_FIELDS,
	);
	expect(res.data.dossierPasserEnInstruction).toEqual({
		dossier: null,
		errors: [{ message: 'L’instructeur n’a pas les droits d’accès à ce dossier' }],
	});
	expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_construction');
});

it('answers a read-only token in the payload, and changes nothing', async () => {
	const number = await freshDossier(sandbox, {
		groupe: who.groupe.number,
		state: 'en_instruction',
	});
	const res = await mutate(
		sandbox,
		'dossierAccepter',
		stateInput(number),
		DOSSIER_FIELDS,
		sandbox.tokens.readOnly,
	);
	expect(res.data.dossierAccepter).toEqual({
		dossier: null,
		errors: [{ message: 'Le jeton utilisé est configuré seulement en lecture' }],
	});
	expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_instruction');
});

it('hides a dossier of a démarche the token does not cover (a GraphQL error, no payload)', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number }); // démarche 1001
	const res = await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(number),
		DOSSIER_FIELDS,
		sandbox.tokens.scoped,
	);
	expect(res.data).toEqual({ dossierPasserEnInstruction: null });
	expect(res.errors[0].message).toBe('An object of type Dossier was hidden due to permissions');
	expect(res.errors[0].extensions.code).toBe('unauthorized');
});

it('names the payload for an ID that names nothing: <Mutation>Payload not found, code not_found', async () => {
	const res = await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(999999),
		DOSSIER_FIELDS,
	);
	expect(res.data).toEqual({ dossierPasserEnInstruction: null });
	expect(res.errors[0]).toMatchObject({
		message: 'DossierPasserEnInstructionPayload not found',
		extensions: { code: 'not_found' },
	});
	// An unknown instructeur, or a malformed ID, is named the same way.
	const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'en_instruction' });
	for (const instructeurId of [gid('Instructeur', 99999), 'not-an-id']) {
		const other = await mutate(sandbox, 'dossierAccepter', stateInput(number, { instructeurId }), DOSSIER_FIELDS);
		expect(other.errors[0].message).toBe('DossierAccepterPayload not found');
	}
});

it('an ID of an existing object of another type: No object found for `argument: "ID"`, without a code', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'en_instruction' });
	const wrong = gid('Dossier', number);
	const res = await mutate(sandbox, 'dossierAccepter', stateInput(number, { instructeurId: wrong }), DOSSIER_FIELDS);
	expect(res.data).toEqual({ dossierAccepter: null });
	expect(res.errors[0].message).toBe(`No object found for \`instructeurId: "${wrong}"\``);
	expect(res.errors[0].extensions).toBeUndefined();
	expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_instruction');
});

it('requires a motivation for a refusal (GraphQL validation, no data)', async () => {
	const number = await freshDossier(sandbox, {
		groupe: who.groupe.number,
		state: 'en_instruction',
	});
	const res = await mutate(sandbox, 'dossierRefuser', stateInput(number), DOSSIER_FIELDS);
	expect(res.data).toBeUndefined();
	expect(res.errors[0].message).toMatch(/motivation/);
});

it('records disableNotification (control API) and sends the usager e-mail otherwise', async () => {
	const quiet = await freshDossier(sandbox, { groupe: who.groupe.number });
	const loud = await freshDossier(sandbox, { groupe: who.groupe.number });
	await mutate(
		sandbox,
		'dossierPasserEnInstruction',
		stateInput(quiet, { disableNotification: true }),
	);
	await mutate(sandbox, 'dossierPasserEnInstruction', stateInput(loud));
	const sent = await control(sandbox, 'GET', '/notifications');
	expect(sent.filter((n) => n.dossierNumber === quiet)).toEqual([
		expect.objectContaining({
			kind: 'state:en_instruction',
			disableNotification: true,
			sent: false,
		}),
	]);
	expect(sent.filter((n) => n.dossierNumber === loud)).toEqual([
		expect.objectContaining({
			kind: 'state:en_instruction',
			disableNotification: false,
			sent: true,
		}),
	]);
});

describe('justificatif (direct upload)', () => {
	const bytes = Buffer.from('%PDF-1.4\ndécision motivée\n');

	it('attaches the uploaded bytes: motivationAttachment downloads exactly them', async () => {
		const number = await freshDossier(sandbox, {
			groupe: who.groupe.number,
			state: 'en_instruction',
		});
		const { signedBlobId, putStatus } = await upload(sandbox, number, bytes, {
			filename: 'decision.pdf',
		});
		expect(putStatus).toBe(200);
		const res = await mutate(
			sandbox,
			'dossierAccepter',
			stateInput(number, { justificatif: signedBlobId }),
			'dossier { state motivationAttachment { filename url checksum } } errors { message }',
		);
		expect(res.data.dossierAccepter.errors).toBeNull();
		const file = res.data.dossierAccepter.dossier.motivationAttachment;
		expect(file.filename).toBe('decision.pdf');
		const download = await fetch(file.url);
		expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
	});

	it.each([
		['a tampered signed ID', 'tamper', 'L’identifiant du fichier téléversé est invalide'],
		[
			'an expired signed ID (1 h, sandbox clock)',
			'expire',
			'L’identifiant du fichier téléversé est invalide',
		],
		[
			'a blob never uploaded',
			'skip',
			'Le fichier n’a pas été correctement téléversé sur le serveur de stockage',
		],
		['a blob whose checksum did not match', 'corrupt', 'Le hash du fichier téléversé est invalide'],
	])('refuses %s, and the dossier stays en_instruction', async (_case, how, message) => {
		const number = await freshDossier(sandbox, {
			groupe: who.groupe.number,
			state: 'en_instruction',
		});
		let signedBlobId;
		if (how === 'skip') {
			const res = await gql(
				sandbox,
				`mutation($input: CreateDirectUploadInput!) { createDirectUpload(input: $input) { directUpload { signedBlobId } } }`,
				{
					input: {
						dossierId: gid('Dossier', number),
						filename: 'x.pdf',
						byteSize: bytes.length,
						checksum: 'AAAAAAAAAAAAAAAAAAAAAA==',
						contentType: 'application/pdf',
					},
				},
			);
			signedBlobId = res.json.data.createDirectUpload.directUpload.signedBlobId;
		} else {
			const corrupted = Buffer.from(bytes);
			corrupted[0] = 0x41;
			const up = await upload(
				sandbox,
				number,
				bytes,
				how === 'corrupt' ? { putBytes: corrupted } : {},
			);
			signedBlobId = how === 'tamper' ? `${up.signedBlobId.slice(0, -2)}00` : up.signedBlobId;
		}
		if (how === 'expire') await control(sandbox, 'POST', '/clock', { advanceMs: 61 * 60 * 1000 });
		try {
			const res = await mutate(
				sandbox,
				'dossierAccepter',
				stateInput(number, { justificatif: signedBlobId }),
				DOSSIER_FIELDS,
			);
			expect(res.data.dossierAccepter).toEqual({ dossier: null, errors: [{ message }] });
		} finally {
			await control(sandbox, 'POST', '/clock', { real: true });
		}
		expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_instruction');
	});
});

describe('archive', () => {
	it('archives a final dossier and unarchives it', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'refuse' });
		const input = { dossierId: gid('Dossier', number), instructeurId: who.insider.id };
		const archived = await mutate(
			sandbox,
			'dossierArchiver',
			input,
			'dossier { archived } errors { message }',
		);
		expect(archived.data.dossierArchiver).toEqual({ dossier: { archived: true }, errors: null });
		const back = await mutate(
			sandbox,
			'dossierDesarchiver',
			input,
			'dossier { archived } errors { message }',
		);
		expect(back.data.dossierDesarchiver).toEqual({ dossier: { archived: false }, errors: null });
	});

	it.each(['en_construction', 'en_instruction'])(
		'refuses to archive a dossier %s',
		async (state) => {
			const number = await freshDossier(sandbox, { groupe: who.groupe.number, state });
			const res = await mutate(sandbox, 'dossierArchiver', {
				dossierId: gid('Dossier', number),
				instructeurId: who.insider.id,
			});
			expect(res.data.dossierArchiver.errors).toEqual([
				{
					message:
						'Un dossier ne peut être déplacé dans « à archiver » qu’une fois le traitement terminé',
				},
			]);
		},
	);

	it('refuses to unarchive a dossier that is not archived', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'accepte' });
		const res = await mutate(sandbox, 'dossierDesarchiver', {
			dossierId: gid('Dossier', number),
			instructeurId: who.insider.id,
		});
		expect(res.data.dossierDesarchiver.errors).toEqual([
			{ message: 'Un dossier non archivé ne peut pas être désarchivé' },
		]);
	});
});

describe('decisions need can_terminer? (PR #12426), and the platform says "déjà en instruction"', () => {
	let demarche;
	beforeAll(async () => {
		demarche = await control(sandbox, 'POST', '/act/demarche', {
			title: 'Décisions avec annotation obligatoire',
			groupes: [{ label: 'défaut', instructeurs: [who.insider.email] }],
			annotations: [
				{ type: 'text', label: 'Avis obligatoire', required: true },
				{ type: 'text', label: 'Note facultative' },
			],
		});
	});
	const dossierEnInstruction = async () => {
		const { number } = await control(sandbox, 'POST', '/act/deposit', { demarche: demarche.number });
		await control(sandbox, 'POST', '/act/state', { number, state: 'en_instruction' });
		return number;
	};

	it.each([
		['dossierAccepter', {}],
		['dossierRefuser', { motivation: 'Non' }],
		['dossierClasserSansSuite', { motivation: 'Sans objet' }],
	])('%s with a blank mandatory annotation: "Le dossier est déjà en instruction"; filled, it passes', async (name, extra) => {
		const number = await dossierEnInstruction();
		const blocked = await mutate(sandbox, name, stateInput(number, extra), DOSSIER_FIELDS);
		expect(blocked.data[name]).toEqual({ dossier: null, errors: [{ message: 'Le dossier est déjà en instruction' }] });
		await control(sandbox, 'POST', '/act/update', { number, annotations: true, values: { 'Avis obligatoire': 'Favorable' } });
		const passed = await mutate(sandbox, name, stateInput(number, extra), DOSSIER_FIELDS);
		expect(passed.data[name].errors).toBeNull();
	});

	it('a SIRET in degraded mode comes first, with its own message', async () => {
		const number = await dossierEnInstruction();
		await control(sandbox, 'POST', '/act/siret-degraded', { number, degraded: true });
		const res = await mutate(sandbox, 'dossierAccepter', stateInput(number), DOSSIER_FIELDS);
		expect(res.data.dossierAccepter.errors).toEqual([
			{ message: 'Les informations du SIRET du dossier ne sont pas complètes. Veuillez réessayer plus tard.' },
		]);
	});
});

describe('check order: the upload, then the arguments, then the business rules', () => {
	it('an unknown dossier with a forged justificatif gets the upload error, not "not found"', async () => {
		const res = await mutate(sandbox, 'dossierAccepter', stateInput(999999, { justificatif: 'forged--id' }), DOSSIER_FIELDS);
		expect(res.errors).toBeUndefined();
		expect(res.data.dossierAccepter.errors).toEqual([{ message: 'L’identifiant du fichier téléversé est invalide' }]);
	});
});

describe('SVA/SVR démarches: no repasser en construction (PR #13710)', () => {
	it('a payload error pointing to a correction request; older servers fail with HTTP 500', async () => {
		const demarche = await control(sandbox, 'POST', '/act/demarche', {
			title: 'Silence vaut accord',
			svaSvr: 'sva',
			groupes: [{ label: 'défaut', instructeurs: [who.insider.email] }],
		});
		const { number } = await control(sandbox, 'POST', '/act/deposit', { demarche: demarche.number });
		await control(sandbox, 'POST', '/act/state', { number, state: 'en_instruction' });
		const res = await mutate(sandbox, 'dossierRepasserEnConstruction', stateInput(number), DOSSIER_FIELDS);
		expect(res.data.dossierRepasserEnConstruction.dossier).toBeNull();
		expect(res.data.dossierRepasserEnConstruction.errors[0].message).toMatch(/SVA\/SVR.*demandez une correction/);
		await control(sandbox, 'POST', '/modes', { olderServer: true });
		try {
			const older = await gql(
				sandbox,
				'mutation($input: DossierRepasserEnConstructionInput!) { dossierRepasserEnConstruction(input: $input) { errors { message } } }',
				{ input: stateInput(number) },
			);
			expect(older.status).toBe(500);
			expect(older.json.errors[0].extensions.code).toBe('internal_server_error');
		} finally {
			await control(sandbox, 'POST', '/modes', { olderServer: false });
		}
		expect((await control(sandbox, 'GET', `/dossiers/${number}`)).state).toBe('en_instruction');
	});
});

describe('system messages: each state change posts one, from the platform’s contact address', () => {
	const MESSAGES = 'query($n: Int!) { dossier(number: $n) { messages { email body createdAt } } }';
	const systemOf = async (number) =>
		(await gql(sandbox, MESSAGES, { n: number })).json.data.dossier.messages.filter((m) => m.email === 'contact@demarche.numerique.gouv.fr');

	it('deposit, en instruction, accepté (with disableNotification too), refusé, réexamen; none for repasser en construction', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const deposit = await systemOf(number);
		expect(deposit).toHaveLength(1);
		expect(deposit[0].body).toMatch(new RegExp(`^<p>\\[Votre dossier n° ${number} a bien été déposé \\(Démarche de démonstration`));
		await mutate(sandbox, 'dossierPasserEnInstruction', stateInput(number), DOSSIER_FIELDS);
		await mutate(sandbox, 'dossierRepasserEnConstruction', stateInput(number), DOSSIER_FIELDS);
		expect(await systemOf(number)).toHaveLength(2);
		await mutate(sandbox, 'dossierPasserEnInstruction', stateInput(number), DOSSIER_FIELDS);
		await mutate(sandbox, 'dossierAccepter', stateInput(number, { disableNotification: true, motivation: 'OK' }), DOSSIER_FIELDS);
		await mutate(sandbox, 'dossierRepasserEnInstruction', stateInput(number), DOSSIER_FIELDS);
		await mutate(sandbox, 'dossierRefuser', stateInput(number, { motivation: 'Pièce manquante' }), DOSSIER_FIELDS);
		const messages = await systemOf(number);
		expect(messages.map((m) => /^<p>\[([^\]]*)\]<\/p>/.exec(m.body)[1])).toEqual([
			`Votre dossier n° ${number} a bien été déposé (Démarche de démonstration : tous les types de champs)`,
			`Votre dossier n° ${number} va être examiné (Démarche de démonstration : tous les types de champs)`,
			`Votre dossier n° ${number} va être examiné (Démarche de démonstration : tous les types de champs)`,
			`Votre dossier n° ${number} a été accepté (Démarche de démonstration : tous les types de champs)`,
			// truncate(subject, length: 100)
			`Votre dossier n° ${number} est en train d’être réexaminé (Démarche de démonstration : tous les types ...`,
			`Votre dossier n° ${number} a été refusé (Démarche de démonstration : tous les types de champs)`,
		]);
		expect(messages[5].body).toContain('<blockquote>Pièce manquante</blockquote>');
	});

	it('a seeded dossier carries them too, in created_at order with the other messages', async () => {
		const messages = (await gql(sandbox, MESSAGES, { n: sandbox.facts.everyChampDossier })).json.data.dossier.messages;
		expect(messages.map((m) => m.email === 'contact@demarche.numerique.gouv.fr')).toEqual([true, false, true, false]);
		const times = messages.map((m) => Date.parse(m.createdAt));
		expect(times).toEqual([...times].sort((a, b) => a - b));
	});

	it('a declarative démarche moves a deposit on at once, with one combined message (PR #13734); older servers two', async () => {
		const demarche = await control(sandbox, 'POST', '/act/demarche', { title: 'Déclaration', declarative: 'accepte' });
		const { number, state } = await control(sandbox, 'POST', '/act/deposit', { demarche: demarche.number });
		expect(state).toBe('accepte');
		const messages = await systemOf(number);
		expect(messages).toHaveLength(1);
		expect(messages[0].body).toMatch(/^<p>\[Votre dossier n° \d+ a bien été déposé \(Déclaration\)\]<\/p>/);
		await control(sandbox, 'POST', '/modes', { olderServer: true });
		try {
			const older = await control(sandbox, 'POST', '/act/deposit', { demarche: demarche.number });
			expect(await systemOf(older.number)).toHaveLength(2);
		} finally {
			await control(sandbox, 'POST', '/modes', { olderServer: false });
		}
	});
});
