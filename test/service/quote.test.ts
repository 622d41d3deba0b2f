import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import { type InProcessApp, startApp } from './helpers.ts';

describe('POST /chocolates/quote', () => {
  let app: InProcessApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  async function postQuote(body: string, contentType: string | undefined = 'application/json') {
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    const res = await fetch(`${app.url}/chocolates/quote`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const json = (value: unknown) => JSON.stringify(value);

  test('when the lines are valid, then it prices each line and the total in minor units', async () => {
    const res = await postQuote(
      json({
        lines: [
          { id: 'truffles', quantity: 2 },
          { id: 'dark-70', quantity: 1 },
        ],
      }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      lines: [
        { id: 'truffles', name: 'Cocoa-dusted truffles (200 g)', quantity: 2, unitPrice: 990, lineTotal: 1980 },
        { id: 'dark-70', name: 'Dark chocolate bar 70%', quantity: 1, unitPrice: 350, lineTotal: 350 },
      ],
      total: 2330,
      currency: 'EUR',
    });
  });

  test('when the quantities are at the limits (1 and 100) and there are 50 lines, then it is accepted', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => ({ id: 'dark-70', quantity: i === 0 ? 1 : 100 }));
    const res = await postQuote(json({ lines }));
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 350 * (1 + 49 * 100));
  });

  test('when the content type has a charset parameter, then it is still JSON', async () => {
    const res = await postQuote(json({ lines: [{ id: 'truffles', quantity: 1 }] }), 'application/json; charset=utf-8');
    assert.equal(res.status, 200);
  });

  const rejected: Array<[string, string, number, string]> = [
    [
      'the body is an array',
      json([{ id: 'dark-70', quantity: 1 }]),
      400,
      'body must be a JSON object like {"lines":[{"id":"...","quantity":1}]}',
    ],
    ['lines is missing', json({ items: [] }), 400, 'lines is required (an array of {id, quantity})'],
    ['lines is not an array', json({ lines: 'dark-70' }), 400, 'lines must be an array, got string "dark-70"'],
    ['lines is empty', json({ lines: [] }), 422, 'lines must contain 1 to 50 entries, got 0'],
    [
      'there are 51 lines',
      json({ lines: Array.from({ length: 51 }, () => ({ id: 'dark-70', quantity: 1 })) }),
      422,
      'lines must contain 1 to 50 entries, got 51',
    ],
    [
      'a line is not an object',
      json({ lines: [{ id: 'dark-70', quantity: 1 }, 'x'] }),
      400,
      'lines[1] must be an object {id, quantity}, got string "x"',
    ],
    ['a line is null', json({ lines: [null] }), 400, 'lines[0] must be an object {id, quantity}, got null'],
    ['an id is missing', json({ lines: [{ quantity: 1 }] }), 400, 'lines[0].id must be a string, got undefined'],
    ['an id is a number', json({ lines: [{ id: 7, quantity: 1 }] }), 400, 'lines[0].id must be a string, got number 7'],
    [
      'a quantity is a string',
      json({ lines: [{ id: 'dark-70', quantity: '2' }] }),
      400,
      'lines[0].quantity must be a number, got string "2"',
    ],
    ['a quantity is missing', json({ lines: [{ id: 'dark-70' }] }), 400, 'lines[0].quantity must be a number, got undefined'],
    [
      'a quantity is 0',
      json({ lines: [{ id: 'dark-70', quantity: 0 }] }),
      422,
      'lines[0].quantity must be an integer from 1 to 100, got 0',
    ],
    [
      'a quantity is 101',
      json({ lines: [{ id: 'dark-70', quantity: 101 }] }),
      422,
      'lines[0].quantity must be an integer from 1 to 100, got 101',
    ],
    [
      'a quantity is negative',
      json({ lines: [{ id: 'dark-70', quantity: -3 }] }),
      422,
      'lines[0].quantity must be an integer from 1 to 100, got -3',
    ],
    [
      'a quantity is fractional',
      json({ lines: [{ id: 'dark-70', quantity: 1.5 }] }),
      422,
      'lines[0].quantity must be an integer from 1 to 100, got 1.5',
    ],
    [
      'an id is unknown',
      json({
        lines: [
          { id: 'dark-70', quantity: 1 },
          { id: 'fudge', quantity: 1 },
        ],
      }),
      422,
      'lines[1].id: no sweet "fudge" in the chocolates section',
    ],
    [
      'an id belongs to another section',
      json({ lines: [{ id: 'gummy-bears', quantity: 1 }] }),
      422,
      'lines[0].id: no sweet "gummy-bears" in the chocolates section',
    ],
    [
      'a quantity is above 2^53 (a double cannot hold it exactly)',
      '{"lines":[{"id":"dark-70","quantity":9007199254740993}]}',
      422,
      'lines[0].quantity must be an integer from 1 to 100, got 9007199254740993',
    ],
    [
      'a quantity overflows a double',
      '{"lines":[{"id":"dark-70","quantity":-1e400}]}',
      422,
      'lines[0].quantity must be an integer from 1 to 100, got -1e400',
    ],
    [
      'an id is a number above 2^53',
      '{"lines":[{"id":12345678901234567890,"quantity":1}]}',
      400,
      'lines[0].id must be a string, got number 12345678901234567890',
    ],
    ['the JSON is malformed', '{"lines": [', 400, 'request body is not valid JSON'],
    ['the JSON is a bare string', '"lines"', 400, 'request body is not valid JSON'],
  ];
  for (const [name, body, status, error] of rejected) {
    test(`when ${name}, then it answers ${status} naming the problem`, async () => {
      const res = await postQuote(body);
      assert.equal(res.status, status);
      assert.equal(typeof res.body.error, 'string');
      assert.ok((res.body.error as string).startsWith(error), `got ${JSON.stringify(res.body.error)}`);
      assert.deepEqual(Object.keys(res.body), ['error'], 'only { error }: no stack, no details object');
    });
  }

  // Valid JSON, within 16 KiB: the reviver that keeps inexact numbers makes JSON.parse recurse once per level.
  for (const [name, body] of [
    ['8,000 nested arrays', `${'['.repeat(8_000)}${']'.repeat(8_000)}`],
    ['2,700 nested objects', `${'{"a":'.repeat(2_700)}1${'}'.repeat(2_700)}`],
  ] as const) {
    test(`when the body is ${name}, then it is a 400 saying it is nested too deeply`, async () => {
      assert.ok(body.length <= 16 * 1024);
      const res = await postQuote(body);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { error: 'request body is JSON nested too deeply to parse (a quote needs 3 levels)' });
    });
  }

  test('when the body is empty, then it is a 400 asking for lines', async () => {
    const res = await postQuote('');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'lines is required (an array of {id, quantity})' });
  });

  test('when the body is over 16 KiB, then it is 413', async () => {
    const padding = 'x'.repeat(16 * 1024);
    const res = await postQuote(json({ lines: [{ id: 'dark-70', quantity: 1 }], padding }));
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, { error: 'request body is larger than 16 KiB' });
  });

  test('when the body is just under 16 KiB, then it is accepted', async () => {
    const base = json({ lines: [{ id: 'dark-70', quantity: 1 }], padding: '' });
    const res = await postQuote(json({ lines: [{ id: 'dark-70', quantity: 1 }], padding: 'x'.repeat(16 * 1024 - base.length) }));
    assert.equal(res.status, 200);
  });

  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    test(`when the content type is ${contentType}, then it is 415`, async () => {
      const res = await postQuote(json({ lines: [{ id: 'dark-70', quantity: 1 }] }), contentType);
      assert.equal(res.status, 415);
      assert.deepEqual(res.body, { error: `Content-Type must be application/json, got "${contentType}"` });
    });
  }

  describe('client input copied into an error is capped at 128 characters', () => {
    const longId = 'x'.repeat(16 * 1024 - 100);
    const cases: Array<[string, string, string | undefined, number, string]> = [
      [
        'a 16 KiB unknown id',
        json({ lines: [{ id: longId, quantity: 1 }] }),
        'application/json',
        422,
        `lines[0].id: no sweet "${'x'.repeat(128)}"… (${longId.length} characters) in the chocolates section`,
      ],
      [
        'a 16 KiB string where lines should be',
        json({ lines: longId }),
        'application/json',
        400,
        `lines must be an array, got string "${'x'.repeat(128)}"… (${longId.length} characters)`,
      ],
      [
        'a 10001-digit quantity',
        `{"lines":[{"id":"dark-70","quantity":1${'0'.repeat(10_000)}}]}`,
        'application/json',
        422,
        `lines[0].quantity must be an integer from 1 to 100, got 1${'0'.repeat(127)}… (10001 characters)`,
      ],
      [
        'an 8 KiB content type',
        json({ lines: [] }),
        `text/${'y'.repeat(8192)}`,
        415,
        `Content-Type must be application/json, got "text/${'y'.repeat(123)}"… (8197 characters)`,
      ],
    ];
    for (const [name, body, contentType, status, error] of cases) {
      test(`when ${name} is sent, then the ${status} quotes only its start and its length`, async () => {
        const res = await postQuote(body, contentType);
        assert.equal(res.status, status);
        assert.deepEqual(res.body, { error });
      });
    }

    test('when the charset is 8 KiB long, then the 415 stays short', async () => {
      const res = await fetch(`${app.url}/chocolates/quote`, {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${'z'.repeat(8192)}` },
        body: json({ lines: [] }),
      });
      assert.equal(res.status, 415);
      const text = await res.text();
      assert.ok(text.length < 300, `a ${text.length}-byte answer to an 8 KiB header`);
    });
  });

  describe('compressed bodies', () => {
    const body = json({ lines: [{ id: 'truffles', quantity: 1 }] });
    async function post(encoding: string, payload: Uint8Array) {
      const res = await fetch(`${app.url}/chocolates/quote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: new Uint8Array(payload),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }

    test('when the body is gzip, deflate or br, then it is decompressed and priced', async () => {
      for (const [encoding, payload] of [
        ['gzip', gzipSync(body)],
        ['deflate', deflateSync(body)],
        ['br', brotliCompressSync(body)],
      ] as const) {
        const res = await post(encoding, payload);
        assert.equal(res.status, 200, encoding);
        assert.equal(res.body.total, 990, encoding);
      }
    });

    test('when the body is not valid for its Content-Encoding, then the 400 names the encoding', async () => {
      for (const [encoding, payload, cause] of [
        ['gzip', Buffer.from(body), 'incorrect header check'],
        ['gzip', gzipSync(body).subarray(0, 12), 'unexpected end of file'],
        ['deflate', Buffer.from(body), 'incorrect header check'],
        ['br', Buffer.from(body), 'Decompression failed'],
      ] as const) {
        const res = await post(encoding, payload);
        assert.equal(res.status, 400, encoding);
        assert.deepEqual(res.body, { error: `request body could not be decompressed (Content-Encoding: ${encoding}): ${cause}` });
      }
    });

    test('when the Content-Encoding is unknown, then it is 415 naming it', async () => {
      const res = await post('compress', Buffer.from(body));
      assert.equal(res.status, 415);
      assert.deepEqual(res.body, { error: 'unsupported content encoding "compress"' });
    });
  });

  test('when the JSON declares an unsupported charset, then it is 415', async () => {
    const res = await postQuote(json({ lines: [] }), 'application/json; charset=latin1');
    assert.equal(res.status, 415);
    assert.equal(typeof res.body.error, 'string');
  });
});
