import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LOG_LEVELS as DEPLOYABLE_LOG_LEVELS, MAX_REQUEST_BODY_BYTES_RANGE } from '../../config/types.ts';
import { ConfigError, DEFAULT_DRAIN_TIMEOUT_MS, loadConfig, MAX_BODY_BYTES_RANGE } from '../../service/src/config.ts';

const valid = { PORT: '8000', SHOP_SECTION: 'chocolates' };

describe('loadConfig', () => {
  test('when PORT and SHOP_SECTION are valid, then it applies the documented defaults', () => {
    assert.deepEqual(loadConfig(valid, 'box'), {
      port: 8000,
      host: undefined,
      section: 'chocolates',
      replicaId: 'box:8000',
      logLevel: 'info',
      drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS,
      maxBodyBytes: 16 * 1024,
      testDelayMs: 0,
      warnings: [],
    });
    assert.equal(DEFAULT_DRAIN_TIMEOUT_MS, 10_000);
  });

  test('every log level an environment may deploy is one the service accepts', () => {
    for (const level of DEPLOYABLE_LOG_LEVELS) assert.equal(loadConfig({ ...valid, LOG_LEVEL: level }, 'box').logLevel, level);
  });

  test('when every optional variable is set, then each is parsed', () => {
    const config = loadConfig(
      { ...valid, HOST: '127.0.0.1', LOG_LEVEL: 'debug', DRAIN_TIMEOUT_MS: '2500', REPLICA_ID: 'r1', MAX_BODY_BYTES: '65536' },
      'box',
    );
    assert.equal(config.maxBodyBytes, 65536);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.drainTimeoutMs, 2500);
    assert.equal(config.replicaId, 'r1');
  });

  describe('replica id precedence', () => {
    test('when REPLICA_ID and POD_NAME are both set, then REPLICA_ID wins', () => {
      assert.equal(loadConfig({ ...valid, REPLICA_ID: 'replica-a', POD_NAME: 'pod-b' }, 'box').replicaId, 'replica-a');
    });
    test('when only POD_NAME is set, then it is the replica id', () => {
      assert.equal(loadConfig({ ...valid, POD_NAME: 'chocolates-7d9f-abcde' }, 'box').replicaId, 'chocolates-7d9f-abcde');
    });
    test('when neither is set (or they are empty), then it is <hostname>:<port>', () => {
      assert.equal(loadConfig({ ...valid, REPLICA_ID: '', POD_NAME: ' ' }, 'box').replicaId, 'box:8000');
    });
  });

  describe('invalid or missing variables throw one line naming the variable and the allowed values', () => {
    const cases: Array<[string, NodeJS.ProcessEnv, string]> = [
      ['PORT missing', { SHOP_SECTION: 'cakes' }, 'PORT is required: an integer from 1 to 65535'],
      ['PORT empty', { PORT: '', SHOP_SECTION: 'cakes' }, 'PORT is required: an integer from 1 to 65535'],
      ['PORT not a number', { PORT: 'abc', SHOP_SECTION: 'cakes' }, 'PORT must be an integer from 1 to 65535, got "abc"'],
      ['PORT zero', { PORT: '0', SHOP_SECTION: 'cakes' }, 'PORT must be an integer from 1 to 65535, got "0"'],
      ['PORT too large', { PORT: '65536', SHOP_SECTION: 'cakes' }, 'PORT must be an integer from 1 to 65535, got "65536"'],
      ['PORT fractional', { PORT: '80.5', SHOP_SECTION: 'cakes' }, 'PORT must be an integer from 1 to 65535, got "80.5"'],
      ['PORT negative', { PORT: '-1', SHOP_SECTION: 'cakes' }, 'PORT must be an integer from 1 to 65535, got "-1"'],
      ['PORT with a leading space', { PORT: ' 80', SHOP_SECTION: 'cakes' }, 'PORT must be an integer from 1 to 65535, got " 80"'],
      ['PORT with a trailing newline', { PORT: '80\n', SHOP_SECTION: 'cakes' }, 'PORT must be an integer from 1 to 65535, got "80\\n"'],
      ['PORT only blanks', { PORT: '  ', SHOP_SECTION: 'cakes' }, 'PORT must be an integer from 1 to 65535, got "  "'],
      ['SHOP_SECTION missing', { PORT: '8000' }, 'SHOP_SECTION is required: one of chocolates, candies, cakes'],
      [
        'SHOP_SECTION unknown',
        { PORT: '8000', SHOP_SECTION: 'pies' },
        'SHOP_SECTION must be one of chocolates, candies, cakes, got "pies"',
      ],
      [
        'LOG_LEVEL unknown',
        { ...valid, LOG_LEVEL: 'loud' },
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ],
      [
        'DRAIN_TIMEOUT_MS not a number',
        { ...valid, DRAIN_TIMEOUT_MS: '10s' },
        'DRAIN_TIMEOUT_MS must be an integer from 1 to 600000, got "10s"',
      ],
      [
        'DRAIN_TIMEOUT_MS with a trailing space',
        { ...valid, DRAIN_TIMEOUT_MS: '5000 ' },
        'DRAIN_TIMEOUT_MS must be an integer from 1 to 600000, got "5000 "',
      ],
      [
        'MAX_BODY_BYTES over 1 MiB',
        { ...valid, MAX_BODY_BYTES: '2097152' },
        'MAX_BODY_BYTES must be an integer from 1024 to 1048576, got "2097152"',
      ],
      [
        'MAX_BODY_BYTES as a quantity',
        { ...valid, MAX_BODY_BYTES: '16Ki' },
        'MAX_BODY_BYTES must be an integer from 1024 to 1048576, got "16Ki"',
      ],
      [
        'REPLICA_ID with a line break',
        { ...valid, REPLICA_ID: 'a\r\nSet-Cookie: x' },
        'REPLICA_ID must be printable ASCII (it is sent as the X-Served-By header), got "a\\r\\nSet-Cookie: x"',
      ],
      [
        'POD_NAME not ASCII',
        { ...valid, POD_NAME: 'pod-ü' },
        'POD_NAME must be printable ASCII (it is sent as the X-Served-By header), got "pod-ü"',
      ],
      [
        'SWEETSHOP_TEST_DELAY_MS invalid with hooks on',
        { ...valid, SWEETSHOP_TEST_HOOKS: '1', SWEETSHOP_TEST_DELAY_MS: 'slow' },
        'SWEETSHOP_TEST_DELAY_MS must be an integer from 0 to 60000, got "slow"',
      ],
    ];
    for (const [name, env, message] of cases) {
      test(`when ${name}, then it throws "${message}"`, () => {
        assert.throws(
          () => loadConfig(env, 'box'),
          (err: unknown) => {
            assert.ok(err instanceof ConfigError);
            assert.equal(err.message, message);
            assert.ok(!err.message.includes('\n'));
            return true;
          },
        );
      });
    }
  });

  describe('test hooks', () => {
    test('when SWEETSHOP_TEST_HOOKS=1, then SWEETSHOP_TEST_DELAY_MS is honoured', () => {
      const config = loadConfig({ ...valid, SWEETSHOP_TEST_HOOKS: '1', SWEETSHOP_TEST_DELAY_MS: '25' }, 'box');
      assert.equal(config.testDelayMs, 25);
      assert.deepEqual(config.warnings, []);
    });
    test('when hooks are off, then the delay is ignored with a warning', () => {
      const config = loadConfig({ ...valid, SWEETSHOP_TEST_DELAY_MS: '25' }, 'box');
      assert.equal(config.testDelayMs, 0);
      assert.deepEqual(config.warnings, [
        'SWEETSHOP_TEST_DELAY_MS is ignored: test hooks are off (set SWEETSHOP_TEST_HOOKS=1 to enable them)',
      ]);
    });
  });
});

test("the service accepts exactly the body limits the environments may state (else a valid environment's replicas would exit on start)", () => {
  assert.deepEqual(MAX_BODY_BYTES_RANGE, MAX_REQUEST_BODY_BYTES_RANGE);
});
