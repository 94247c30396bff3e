'use strict';
// examples/accept-with-pdf-decision.json writes an arrêté as a PDF with n8n's own nodes, accepts the
// first dossier en instruction of the occupation démarche with it as justificatif, then sends it to
// the usager in a message. The platform must hold the decision and both copies of the very bytes n8n
// produced.

const crypto = require('node:crypto');
const { binaryBytes, platformQuery } = require('../lib/checks');

const DOSSIER = `query Decision($number: Int!) {
	dossier(number: $number) {
		state motivation
		motivationAttachment { filename checksum contentType }
		messages { email body attachments { filename checksum contentType } }
	}
}`;

/** The cross-reference table points at each object and startxref at the table, as readers expect. */
function assertWellFormedPdf(assert, text) {
	const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
	assert.equal(
		text.slice(startxref, startxref + 5),
		'xref\n',
		'startxref points at the xref table',
	);
	const offsets = [...text.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) =>
		Number(m[1]),
	);
	assert.equal(offsets.length, 5, 'five objects in the xref table');
	offsets.forEach((at, i) =>
		assert.equal(
			text.slice(at, at + 8),
			`${i + 1} 0 obj `,
			`xref entry ${i + 1} points at its object`,
		),
	);
	const stream = /<< \/Length (\d+) >>\nstream\n([\s\S]*?)\nendstream/.exec(text);
	assert.equal(stream[2].length, Number(stream[1]), 'the content stream has its declared length');
}

module.exports = async ({ assert, output, items, platform, n8n }) => {
	const [picked] = output('Dossier en instruction');
	assert.ok(picked, 'a dossier en instruction was picked');
	assert.equal(
		picked.demarche.number,
		platform.facts.demarches.occupation,
		'of the occupation démarche',
	);

	const [file] = items('PDF file');
	const bytes = binaryBytes(n8n, file.binary.data);
	assert.equal(bytes.subarray(0, 8).toString('latin1'), '%PDF-1.4', 'the file n8n built is a PDF');
	assert.ok(
		bytes.toString('latin1').includes(`Dossier n\u00b0 ${picked.number} `),
		'the PDF names the dossier (Windows-1252 text)',
	);
	assertWellFormedPdf(assert, bytes.toString('latin1'));
	const md5 = crypto.createHash('md5').update(bytes).digest('base64');
	const fileName = `arrete-${picked.number}.pdf`;

	const { dossier } = await platformQuery(platform, DOSSIER, { number: picked.number });
	assert.equal(dossier.state, 'accepte', 'the dossier is accepté on the platform');
	assert.match(dossier.motivation, /autorisée/, 'with the workflow’s motivation');
	assert.deepEqual(
		dossier.motivationAttachment,
		{ filename: fileName, checksum: md5, contentType: 'application/pdf' },
		'the justificatif of the decision is the PDF n8n built',
	);
	const sent = dossier.messages.filter(
		(m) =>
			m.email === 'marc.durand@demarches-exemple.gouv.fr' &&
			m.body.includes(`dossier n° ${picked.number} est accepté`),
	);
	assert.equal(
		sent.length,
		1,
		`one message to the usager about the decision (the dossier has ${dossier.messages.length} messages)`,
	);
	assert.deepEqual(
		sent[0].attachments,
		[{ filename: fileName, checksum: md5, contentType: 'application/pdf' }],
		'the message carries the same PDF',
	);
};
