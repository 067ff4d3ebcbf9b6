// A Herald process for multi-process tests: the real `serve` composition with the scripted
// TestPublisher (talking HTTP to the test's FakePlatform) and shortened engine waits.
import { loadConfig } from '../../src/config.js';
import { createHerald } from '../../src/main.js';
import { TestConnector } from './test-connector.js';
import { TestPublisher } from './test-publisher.js';

const env = process.env;
const herald = createHerald({
  config: loadConfig(env),
  // TEST_NETWORK_PUBLISHERS=true: the configured networks' own publishers (e.g. Meta against its fake).
  publishers:
    env.TEST_NETWORK_PUBLISHERS === 'true'
      ? undefined
      : [
          new TestPublisher(
            env.FAKE_PLATFORM_URL ?? '',
            Number(env.TEST_REQUEST_TIMEOUT_MS ?? 2000),
            env.TEST_SKIP_PREPARE_CALL !== 'true',
          ),
        ],
  // TEST_REFRESH_URL: the Facebook token refresh is TestConnector's call to that FakePlatform.
  connectors: env.TEST_REFRESH_URL ? [new TestConnector(env.TEST_REFRESH_URL)] : undefined,
  engine: {
    backoffBaseMs: 200,
    backoffCapMs: 2_000,
    settleMs: Number(env.TEST_SETTLE_MS ?? 1000),
    requestTimeoutMs: 2000,
  },
  schedules: { reconcile: '* * * * * *', publishDue: '* * * * * *' },
});
await herald.start();
const stop = () => void herald.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
