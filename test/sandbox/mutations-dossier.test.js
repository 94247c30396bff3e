'use strict';
/** Sandbox mutations over real HTTP: labels, follow, groupe change, messages, groupes instructeurs, clone. */
const { control, gql, start } = require('./helpers');
const { gid, actors, freshDossier, mutate, upload } = require('./mutations-helpers');

let sandbox;
let who;
beforeAll(async () => {
	sandbox = await start({ size: 60 });
	who = await actors(sandbox);
});
afterAll(() => sandbox.stop());

const labelsOf = async (demarche) =>
	(await control(sandbox, 'GET', `/demarches/${demarche}`)).labels;

describe('labels', () => {
	const call = (name, number, labelId) =>
		mutate(
			sandbox,
			name,
			{ dossierId: gid('Dossier', number), labelId },
			'dossier { labels { name } } label { name } errors { message }',
		);

	it('adds and removes a label of the démarche; dateDerniereModification moves', async () => {
		const [label] = await labelsOf(1001);
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const before = await control(sandbox, 'GET', `/dossiers/${number}`);
		await control(sandbox, 'POST', '/clock', { set: before.dateDerniereModificationMs + 5000 });
		try {
			const added = await call('dossierAjouterLabel', number, gid('Label', label.id));
			expect(added.data.dossierAjouterLabel).toEqual({
				dossier: { labels: [{ name: label.name }] },
				label: { name: label.name },
				errors: null,
			});
			const after = await control(sandbox, 'GET', `/dossiers/${number}`);
			expect(after.dateDerniereModificationMs).toBe(before.dateDerniereModificationMs + 5000);
		} finally {
			await control(sandbox, 'POST', '/clock', { real: true });
		}
		const removed = await call('dossierSupprimerLabel', number, gid('Label', label.id));
		expect(removed.data.dossierSupprimerLabel.dossier.labels).toEqual([]);
	});

	it('refuses a label of another démarche, a label twice, and removing an absent label (a foreign one included)', async () => {
		const [label] = await labelsOf(1001);
		const [foreign] = await labelsOf(1002);
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const other = await call('dossierAjouterLabel', number, gid('Label', foreign.id));
		expect(other.data.dossierAjouterLabel).toEqual({
			dossier: null,
			label: null,
			errors: [{ message: 'Ce label n’appartient pas à la même démarche que le dossier' }],
		});
		const absent = await call('dossierSupprimerLabel', number, gid('Label', label.id));
		expect(absent.data.dossierSupprimerLabel.errors).toEqual([
			{ message: 'Ce label n’est pas associé au dossier' },
		]);
		// dossierSupprimerLabel has no démarche check.
		const foreignRemoved = await call('dossierSupprimerLabel', number, gid('Label', foreign.id));
		expect(foreignRemoved.data.dossierSupprimerLabel.errors).toEqual([
			{ message: 'Ce label n’est pas associé au dossier' },
		]);
		await call('dossierAjouterLabel', number, gid('Label', label.id));
		const twice = await call('dossierAjouterLabel', number, gid('Label', label.id));
		expect(twice.data.dossierAjouterLabel.errors).toEqual([
			{ message: 'Ce label est déjà associé au dossier' },
		]);
	});
});

it('follows and unfollows: the dossier’s instructeurs list', async () => {
	const number = await freshDossier(sandbox, { groupe: who.groupe.number });
	const follow = (value) =>
		mutate(
			sandbox,
			'dossierBasculeSuivi',
			{ dossierId: gid('Dossier', number), instructeurId: who.insider.id, follow: value },
			'dossier { instructeurs { id email } } instructeur { email } errors { message }',
		);
	const on = await follow(true);
	expect(on.data.dossierBasculeSuivi).toEqual({
		dossier: { instructeurs: [{ id: who.insider.id, email: who.insider.email }] },
		instructeur: { email: who.insider.email },
		errors: null,
	});
	const off = await follow(false);
	expect(off.data.dossierBasculeSuivi.dossier.instructeurs).toEqual([]);
});

describe('dossierChangerGroupeInstructeur', () => {
	const change = (number, groupeNumber) =>
		mutate(
			sandbox,
			'dossierChangerGroupeInstructeur',
			{
				dossierId: gid('Dossier', number),
				groupeInstructeurId: gid('GroupeInstructeur', groupeNumber),
			},
			'dossier { groupeInstructeur { number } } errors { message }',
		);

	it('moves a dossier to another groupe of its démarche', async () => {
		const info = await control(sandbox, 'GET', '/demarches/1001');
		const [from, to] = info.groupes;
		const number = await freshDossier(sandbox, { groupe: from.number });
		const res = await change(number, to.number);
		expect(res.data.dossierChangerGroupeInstructeur).toEqual({
			dossier: { groupeInstructeur: { number: to.number } },
			errors: null,
		});
		const same = await change(number, to.number);
		expect(same.data.dossierChangerGroupeInstructeur.errors).toEqual([
			{ message: `Le dossier est déjà avec le groupe instructeur: '${to.label}'` },
		]);
	});

	it('unfollows the followers who are not in the new groupe', async () => {
		const info = await control(sandbox, 'GET', '/demarches/1001');
		const from = info.groupes.find((g) => g.instructeurIds.length >= 1);
		const to = info.groupes.find((g) => g.number !== from.number);
		const leaving = from.instructeurIds.find((id) => !to.instructeurIds.includes(id));
		const staying = from.instructeurIds.find((id) => to.instructeurIds.includes(id));
		const number = await freshDossier(sandbox, { groupe: from.number });
		for (const id of [leaving, staying].filter(Boolean))
			await mutate(sandbox, 'dossierBasculeSuivi', { dossierId: gid('Dossier', number), instructeurId: gid('Instructeur', id) }, 'errors { message }');
		await change(number, to.number);
		const read = await gql(sandbox, 'query($n:Int!){ dossier(number:$n){ instructeurs { id } } }', { n: number });
		expect(read.json.data.dossier.instructeurs.map((i) => i.id)).toEqual(staying ? [gid('Instructeur', staying)] : []);
		expect(leaving).toBeDefined();
	});

	it('refuses a groupe of another démarche', async () => {
		const other = (await control(sandbox, 'GET', '/demarches/1003')).groupes[0];
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const res = await change(number, other.number);
		expect(res.data.dossierChangerGroupeInstructeur.errors).toEqual([
			{
				message: `Le groupe instructeur '${other.label}' n’appartient pas à la même démarche que le dossier`,
			},
		]);
	});
});

describe('messages', () => {
	const send = (number, extra = {}, instructeurId = who.insider.id) =>
		mutate(
			sandbox,
			'dossierEnvoyerMessage',
			{ dossierId: gid('Dossier', number), instructeurId, body: 'Merci de compléter.', ...extra },
			'message { id body email correction { reason } attachments { filename url } } errors { message }',
		);

	it('sends a message with an attachment whose download is byte-exact', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13, 37, 80, 68, 70]);
		const { signedBlobId } = await upload(sandbox, number, bytes, { filename: 'courrier.bin' });
		const res = await send(number, { attachment: signedBlobId });
		const message = res.data.dossierEnvoyerMessage.message;
		expect(message).toMatchObject({
			body: 'Merci de compléter.',
			email: who.insider.email,
			correction: null,
		});
		expect(message.attachments[0].filename).toBe('courrier.bin');
		const download = await fetch(message.attachments[0].url);
		expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
		const read = await gql(sandbox, 'query($n:Int!){ dossier(number:$n){ messages { id } } }', {
			n: number,
		});
		expect(read.json.data.dossier.messages.map((m) => m.id)).toContain(message.id);
	});

	it('serves an attachment with a French file name (UTF-8 Content-Disposition)', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const bytes = Buffer.from('décision motivée');
		const { signedBlobId } = await upload(sandbox, number, bytes, { filename: 'Décision signée.pdf' });
		const res = await send(number, { attachment: signedBlobId });
		const file = res.data.dossierEnvoyerMessage.message.attachments[0];
		expect(file.filename).toBe('Décision signée.pdf');
		const download = await fetch(file.url);
		expect(download.status).toBe(200);
		expect(download.headers.get('content-disposition')).toContain(
			`filename*=UTF-8''${encodeURIComponent('Décision signée.pdf')}`,
		);
		expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
	});

	it('a correction request sends an en_instruction dossier back to en_construction with a pending correction', async () => {
		const number = await freshDossier(sandbox, {
			groupe: who.groupe.number,
			state: 'en_instruction',
		});
		const res = await send(number, { correction: 'incomplete' });
		expect(res.data.dossierEnvoyerMessage.message.correction).toEqual({ reason: 'incomplete' });
		const read = await gql(
			sandbox,
			'query($n:Int!){ dossier(number:$n){ state dateDerniereCorrectionEnAttente traitements { state } } }',
			{ n: number },
		);
		expect(read.json.data.dossier.state).toBe('en_construction');
		expect(read.json.data.dossier.dateDerniereCorrectionEnAttente).not.toBeNull();
		expect(read.json.data.dossier.traitements.slice(-1)[0].state).toBe('en_construction');
	});

	it('refuses an empty body (unless a file is attached), an instructeur without access, an archived dossier', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		expect((await send(number, { body: '  ' })).data.dossierEnvoyerMessage.errors).toEqual([
			{ message: 'Le champ « Votre message » ne peut être vide' },
		]);
		const { signedBlobId } = await upload(sandbox, number, Buffer.from('pièce seule'));
		expect((await send(number, { body: '', attachment: signedBlobId })).data.dossierEnvoyerMessage.errors).toBeNull();
		expect((await send(number, {}, who.outsider.id)).data.dossierEnvoyerMessage.errors).toEqual([
			{ message: 'L’instructeur n’a pas les droits d’accès à ce dossier' },
		]);
		const archived = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'accepte' });
		await control(sandbox, 'POST', '/act/archive', { number: archived, archived: true });
		expect((await send(archived)).data.dossierEnvoyerMessage.errors).toEqual([
			{ message: 'Le champ « Dossier » Il n’est pas possible d’envoyer un message sur un dossier supprimé, à archiver ou en brouillon' },
		]);
	});

	it('refuses an impossible correction before sending anything (PR #13722); older servers send a plain message', async () => {
		const final = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'accepte' });
		const count = async (n) => (await control(sandbox, 'GET', `/dossiers/${n}`)).messages;
		const before = await count(final);
		expect((await send(final, { correction: 'incorrect' })).data.dossierEnvoyerMessage).toEqual({
			message: null,
			errors: [{ message: 'Le dossier ne peut pas faire l’objet d’une demande de correction car il est accepté' }],
		});
		// Before the access check: an outsider gets the same answer.
		expect((await send(final, { correction: 'incorrect' }, who.outsider.id)).data.dossierEnvoyerMessage.errors[0].message).toMatch(/ne peut pas faire l’objet/);
		const pending = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'en_instruction' });
		await send(pending, { correction: 'incomplete' });
		expect((await send(pending, { correction: 'outdated' })).data.dossierEnvoyerMessage.errors).toEqual([
			{ message: 'Une demande de correction est déjà en attente sur ce dossier' },
		]);
		expect(await count(final)).toBe(before);
		await control(sandbox, 'POST', '/modes', { olderServer: true });
		try {
			const older = await send(final, { correction: 'incorrect' });
			expect(older.data.dossierEnvoyerMessage.errors).toBeNull();
			expect(older.data.dossierEnvoyerMessage.message.correction).toBeNull();
			expect(await count(final)).toBe(before + 1);
		} finally {
			await control(sandbox, 'POST', '/modes', { olderServer: false });
		}
	});

	it('passing en instruction resolves the pending correction', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'en_instruction' });
		const sent = (await send(number, { correction: 'incomplete' })).data.dossierEnvoyerMessage.message;
		const passed = await mutate(sandbox, 'dossierPasserEnInstruction', { dossierId: gid('Dossier', number), instructeurId: who.insider.id }, 'errors { message }');
		expect(passed.data.dossierPasserEnInstruction.errors).toBeNull();
		const read = await gql(sandbox, 'query($n:Int!){ dossier(number:$n){ dateDerniereCorrectionEnAttente messages { id correction { dateResolution } } } }', { n: number });
		expect(read.json.data.dossier.dateDerniereCorrectionEnAttente).toBeNull();
		expect(read.json.data.dossier.messages.find((m) => m.id === sent.id).correction.dateResolution).not.toBeNull();
	});

	it('with blocking_pending_correction on a published démarche, a pending correction blocks passer en instruction', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		await send(number, { correction: 'incorrect' });
		await control(sandbox, 'POST', '/demarches/1001/settings', { flags: { blocking_pending_correction: true } });
		try {
			const pass = () => mutate(sandbox, 'dossierPasserEnInstruction', { dossierId: gid('Dossier', number), instructeurId: who.insider.id }, 'errors { message }');
			expect((await pass()).data.dossierPasserEnInstruction.errors).toEqual([{ message: 'Le dossier est en attente de correction' }]);
			await control(sandbox, 'POST', '/demarches/1001/settings', { state: 'brouillon' });
			expect((await pass()).data.dossierPasserEnInstruction.errors).toBeNull();
		} finally {
			await control(sandbox, 'POST', '/demarches/1001/settings', { state: 'publiee', flags: { blocking_pending_correction: false } });
		}
	});

	it('dossierAnnulerDemandeCorrection: any instructeur with access cancels a pending correction; the message stays', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number, state: 'en_instruction' });
		const sent = (await send(number, { correction: 'incomplete' })).data.dossierEnvoyerMessage.message;
		const cancel = (instructeurId) =>
			mutate(sandbox, 'dossierAnnulerDemandeCorrection', { messageId: sent.id, instructeurId }, 'message { id body correction { dateResolution } } errors { message }');
		expect((await cancel(who.outsider.id)).data.dossierAnnulerDemandeCorrection.errors).toEqual([{ message: 'L’instructeur n’a pas les droits d’accès à ce dossier' }]);
		const done = await cancel(who.insider.id);
		expect(done.data.dossierAnnulerDemandeCorrection.errors).toBeNull();
		expect(done.data.dossierAnnulerDemandeCorrection.message.body).toBe('Merci de compléter.');
		expect(done.data.dossierAnnulerDemandeCorrection.message.correction.dateResolution).not.toBeNull();
		const read = await gql(sandbox, 'query($n:Int!){ dossier(number:$n){ state dateDerniereCorrectionEnAttente } }', { n: number });
		expect(read.json.data.dossier).toEqual({ state: 'en_construction', dateDerniereCorrectionEnAttente: null });
		expect((await cancel(who.insider.id)).data.dossierAnnulerDemandeCorrection.errors).toEqual([{ message: 'La demande de correction ne peut pas être annulée' }]);
	});

	it('deletes only the instructeur’s own message', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const mine = (await send(number)).data.dossierEnvoyerMessage.message;
		const usager = await control(sandbox, 'POST', '/act/message', {
			number,
			body: 'Voici ma pièce.',
		});
		const other =
			who.groupe.instructeurIds.length > 1
				? gid('Instructeur', who.groupe.instructeurIds[1])
				: who.outsider.id;
		const remove = (messageId, instructeurId = who.insider.id, token) =>
			mutate(
				sandbox,
				'dossierSupprimerMessage',
				{ messageId, instructeurId },
				'message { id body discardedAt } errors { message }',
				token,
			);
		const refusal = [{ message: 'Le message ne peut pas être supprimé' }];
		expect((await remove(usager.id)).data.dossierSupprimerMessage.errors).toEqual(refusal);
		expect((await remove(mine.id, other)).data.dossierSupprimerMessage.errors).toEqual(refusal);
		const scoped = await remove(mine.id, who.insider.id, sandbox.tokens.scoped);
		expect(scoped.errors[0].message).toBe(
			'An object of type Message was hidden due to permissions',
		);
		const done = await remove(mine.id);
		expect(done.data.dossierSupprimerMessage.errors).toBeNull();
		expect(done.data.dossierSupprimerMessage.message.discardedAt).not.toBeNull();
		// Commentaire#soft_delete! empties the body: the API serves "".
		expect(done.data.dossierSupprimerMessage.message.body).toBe('');
		expect((await remove(mine.id)).data.dossierSupprimerMessage.errors).toEqual(refusal);
	});

	it('deleting the message of a pending correction cancels it, unless cancelCorrection is false', async () => {
		const number = await freshDossier(sandbox, { groupe: who.groupe.number });
		const sent = (await send(number, { correction: 'incorrect' })).data.dossierEnvoyerMessage.message;
		const remove = (cancelCorrection) =>
			mutate(sandbox, 'dossierSupprimerMessage', { messageId: sent.id, instructeurId: who.insider.id, cancelCorrection }, 'message { correction { dateResolution } } errors { message }');
		expect((await remove(false)).data.dossierSupprimerMessage.errors).toEqual([{ message: 'Le message ne peut pas être supprimé' }]);
		const done = await remove(true);
		expect(done.data.dossierSupprimerMessage.errors).toBeNull();
		expect(done.data.dossierSupprimerMessage.message.correction.dateResolution).not.toBeNull();
		const read = await gql(sandbox, 'query($n:Int!){ dossier(number:$n){ dateDerniereCorrectionEnAttente } }', { n: number });
		expect(read.json.data.dossier.dateDerniereCorrectionEnAttente).toBeNull();
	});
});

describe('groupes instructeurs', () => {
	const GROUPE = 'groupeInstructeur { id number label closed instructeurs { id email } }';

	it('creates a groupe with the token’s administrateur and instructeurs by e-mail; invalid e-mails come back as one warning', async () => {
		const res = await mutate(
			sandbox,
			'groupeInstructeurCreer',
			{
				demarche: { number: 1003 },
				groupeInstructeur: {
					label: 'Centre-ville',
					instructeurs: [
						{ email: ' Nouvelle.Agente@Ville.fr ' },
						{ email: 'yolo' },
						{ email: 'a@b.c' },
						{ id: who.insider.id },
					],
				},
			},
			`${GROUPE} warnings { message } errors { message }`,
		);
		const payload = res.data.groupeInstructeurCreer;
		expect(payload.errors).toBeNull();
		expect(payload.warnings).toEqual([
			{ message: 'yolo, a@b.c ne sont pas des adresses électroniques valides' },
		]);
		expect(payload.groupeInstructeur.label).toBe('Centre-ville');
		expect(payload.groupeInstructeur.instructeurs.map((i) => i.email).sort()).toEqual(
			['admin@demarches-exemple.gouv.fr', 'nouvelle.agente@ville.fr', who.insider.email].sort(),
		);
		const read = await gql(
			sandbox,
			'{ demarche(number: 1003) { groupeInstructeurs { number label } } }',
		);
		expect(read.json.data.demarche.groupeInstructeurs).toContainEqual({
			number: payload.groupeInstructeur.number,
			label: 'Centre-ville',
		});
	});

	it('refuses a blank or taken label; warnings are null when every e-mail is valid', async () => {
		const create = (label) =>
			mutate(sandbox, 'groupeInstructeurCreer', { demarche: { number: 1002 }, groupeInstructeur: { label, instructeurs: [{ email: 'valide@ville.fr' }] } }, 'groupeInstructeur { number } warnings { message } errors { message }');
		expect((await create('  ')).data.groupeInstructeurCreer.errors).toEqual([{ message: 'Le libellé doit être rempli' }]);
		const first = (await create('Quartier sud')).data.groupeInstructeurCreer;
		expect(first.warnings).toBeNull();
		expect((await create('Quartier sud')).data.groupeInstructeurCreer.errors).toEqual([{ message: 'Le libellé n’est pas disponible' }]);
		const blank = await mutate(sandbox, 'groupeInstructeurModifier', { groupeInstructeurId: gid('GroupeInstructeur', first.groupeInstructeur.number), label: ' ' }, 'errors { message }');
		expect(blank.data.groupeInstructeurModifier.errors).toEqual([{ message: 'Le libellé doit être rempli' }]);
		const unknown = await mutate(sandbox, 'groupeInstructeurCreer', { demarche: { number: 4242 }, groupeInstructeur: { label: 'x' } }, 'errors { message }');
		expect(unknown.errors[0]).toMatchObject({ message: 'GroupeInstructeurCreerPayload not found', extensions: { code: 'not_found' } });
	});

	it('renames and closes a groupe, but never the default (first) groupe', async () => {
		const [first, second] = (await control(sandbox, 'GET', '/demarches/1003')).groupes;
		const modify = (groupe, extra) =>
			mutate(
				sandbox,
				'groupeInstructeurModifier',
				{ groupeInstructeurId: gid('GroupeInstructeur', groupe.number), ...extra },
				`${GROUPE} errors { message }`,
			);
		const renamed = await modify(second, { label: 'Secteur nord', closed: true });
		expect(renamed.data.groupeInstructeurModifier.groupeInstructeur).toMatchObject({
			label: 'Secteur nord',
			closed: true,
		});
		const refused = await modify(first, { closed: true });
		expect(refused.data.groupeInstructeurModifier.errors).toEqual([
			{ message: 'Il est impossible de désactiver le groupe d’instructeurs par défaut.' },
		]);
	});

	it('adds and removes instructeurs by id or e-mail', async () => {
		const groupe = (await control(sandbox, 'GET', '/demarches/1005')).groupes[0];
		const groupeInstructeurId = gid('GroupeInstructeur', groupe.number);
		const added = await mutate(
			sandbox,
			'groupeInstructeurAjouterInstructeurs',
			{
				groupeInstructeurId,
				instructeurs: [{ email: 'renfort@ville.fr' }, { email: 'faux@' }, { id: who.outsider.id }],
			},
			`${GROUPE} warnings { message } errors { message }`,
		);
		const emails =
			added.data.groupeInstructeurAjouterInstructeurs.groupeInstructeur.instructeurs.map(
				(i) => i.email,
			);
		expect(emails).toEqual(expect.arrayContaining(['renfort@ville.fr', who.outsider.email]));
		expect(added.data.groupeInstructeurAjouterInstructeurs.warnings).toEqual([
			{ message: 'faux@ n’est pas une adresse électronique valide' },
		]);
		const removed = await mutate(
			sandbox,
			'groupeInstructeurSupprimerInstructeurs',
			{
				groupeInstructeurId,
				instructeurs: [{ email: 'renfort@ville.fr' }, { id: who.outsider.id }],
			},
			`${GROUPE} errors { message }`,
		);
		const left =
			removed.data.groupeInstructeurSupprimerInstructeurs.groupeInstructeur.instructeurs.map(
				(i) => i.email,
			);
		expect(left).not.toContain('renfort@ville.fr');
		expect(left).not.toContain(who.outsider.email);
		expect(left.length).toBe(emails.length - 2);
	});

	it('hides a démarche outside a scoped token', async () => {
		const res = await mutate(
			sandbox,
			'groupeInstructeurCreer',
			{ demarche: { number: 1001 }, groupeInstructeur: { label: 'Hors périmètre' } },
			'errors { message }',
			sandbox.tokens.scoped,
		);
		expect(res.errors[0].message).toBe('An object of type Demarche was hidden due to permissions');
	});
});

it('demarcheCloner gives a new démarche with the same form and the new title', async () => {
	const res = await mutate(
		sandbox,
		'demarcheCloner',
		{ demarche: { id: gid('Procedure', 1005) }, title: 'Transport scolaire 2026' },
		'demarche { number title revision { champDescriptors { label } } } errors { message }',
	);
	const clone = res.data.demarcheCloner.demarche;
	expect(clone.number).not.toBe(1005);
	expect(clone.title).toBe('Transport scolaire 2026');
	const source = await gql(
		sandbox,
		'{ demarche(number: 1005) { activeRevision { champDescriptors { label } } } }',
	);
	expect(clone.revision.champDescriptors).toEqual(
		source.json.data.demarche.activeRevision.champDescriptors,
	);
	const read = await gql(
		sandbox,
		'query($n:Int!){ demarche(number:$n){ title dossiers { nodes { number } } } }',
		{ n: clone.number },
	);
	expect(read.json.data.demarche).toEqual({
		title: 'Transport scolaire 2026',
		dossiers: { nodes: [] },
	});
});

it('demarcheCloner: an unknown démarche is a payload error; any open-data démarche can be cloned, even outside the token', async () => {
	const unknown = await mutate(sandbox, 'demarcheCloner', { demarche: { number: 4242 } }, 'demarche { number } errors { message }');
	expect(unknown.data.demarcheCloner).toEqual({ demarche: null, errors: [{ message: 'La démarche "4242" ne peut pas être clonée.' }] });
	const opendata = await mutate(sandbox, 'demarcheCloner', { demarche: { number: 1001 } }, 'demarche { number title } errors { message }', sandbox.tokens.scoped);
	expect(opendata.data.demarcheCloner.errors).toBeNull();
	expect(opendata.data.demarcheCloner.demarche.title).toBe('Démarche de démonstration : tous les types de champs');
});
