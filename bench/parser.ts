import { parseResponse } from '../src/core/parser';

/** The three typical replies the issue names. */
const TYPICAL: Record<string, string> = {
  shell:
    'Thought: The frontend reports errors; I will first check whether all pods in the namespace are running.\n' +
    'Action:\n```\nexec_shell("kubectl get pods -n test-social-network -o wide")\n```',
  analysis_submit:
    'Thought: The geo service points its Service at the wrong targetPort, so requests never reach the pod. ' +
    'That is a virtualization-level misconfiguration.\nAction:\n```\n' +
    'submit({"system_level": "Virtualization", "fault_type": "Misconfiguration"})\n```',
  get_logs: 'Thought: The user service may be failing to reach MongoDB; its logs will tell.\n```\nget_logs("test-social-network", "user-service")\n```',
};

function nowNs(): bigint {
  return process.hrtime.bigint();
}

/** Median over `rounds` of the mean time per parse (µs) in a batch of `batch` parses. */
function medianMicros(reply: string, batch: number, rounds: number): number {
  const samples: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = nowNs();
    for (let i = 0; i < batch; i++) sink += parseResponse(reply).args.length;
    samples.push(Number(nowNs() - t0) / 1000 / batch);
  }
  if (sink < 0) throw new Error('unreachable');
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Median time per parse (ns), parses that throw included. */
function medianNsAnyOutcome(reply: string, batch: number, rounds: number): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = nowNs();
    for (let i = 0; i < batch; i++) {
      try {
        parseResponse(reply);
      } catch {
        // rejected replies are timed too
      }
    }
    samples.push(Number(nowNs() - t0) / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** A typical reply of about `bytes` characters: a long thought and a submit whose list grows with it. */
function typicalOfSize(bytes: number): string {
  const sentence = 'The checkout service times out when it calls payment; its pods restart every few minutes. ';
  let thought = 'Thought: ';
  while (thought.length < bytes / 2) thought += sentence;
  const names: string[] = [];
  let len = 0;
  for (let i = 0; len < bytes / 2; i++) {
    const n = `"service-${i}"`;
    names.push(n);
    len += n.length + 2;
  }
  return `${thought}\nAction:\n\`\`\`\nsubmit([${names.join(', ')}])\n\`\`\``;
}

function round(x: number, digits = 3): number {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

export async function run(): Promise<Record<string, number | string>> {
  // Warm up the JIT on all shapes.
  for (let i = 0; i < 20000; i++) for (const reply of Object.values(TYPICAL)) parseResponse(reply);

  const out: Record<string, number | string> = {};
  const medians: number[] = [];
  for (const [name, reply] of Object.entries(TYPICAL)) {
    const us = medianMicros(reply, 2000, 101);
    medians.push(us);
    out[`parse_us_median_${name}`] = round(us);
  }
  const worst = Math.max(...medians);
  out.parse_us_median_worst_of_three = round(worst);
  out.target_us = 5;
  out.original_python_us_reported = 13;
  out.meets_target = worst <= 5 ? 'yes' : 'no';

  // Linearity: time per byte at 100 KB ÷ time per byte at 1 KB (≈1 for linear work).
  const small = typicalOfSize(1_000);
  const large = typicalOfSize(100_000);
  for (let i = 0; i < 2000; i++) parseResponse(small);
  for (let i = 0; i < 50; i++) parseResponse(large);
  const perByteSmall = medianNsAnyOutcome(small, 500, 41) / small.length;
  const perByteLarge = medianNsAnyOutcome(large, 5, 41) / large.length;
  out.ns_per_byte_1kb = round(perByteSmall);
  out.ns_per_byte_100kb = round(perByteLarge);
  out.linearity_ratio_100kb_over_1kb = round(perByteLarge / perByteSmall, 2);

  // The same ratio on an adversarial reply (an unterminated string: the parser scans to the end and rejects it).
  const adv = (n: number) => '```\nexec_shell("' + 'x\\"'.repeat(Math.floor(n / 3));
  const advSmall = adv(1_000);
  const advLarge = adv(100_000);
  const advPerByteSmall = medianNsAnyOutcome(advSmall, 500, 41) / advSmall.length;
  const advPerByteLarge = medianNsAnyOutcome(advLarge, 5, 41) / advLarge.length;
  out.linearity_ratio_adversarial_100kb_over_1kb = round(advPerByteLarge / advPerByteSmall, 2);
  return out;
}
