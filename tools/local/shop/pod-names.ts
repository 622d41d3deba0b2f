import { createHash, randomInt } from 'node:crypto';

// The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes).
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A pod-like name `<deployment>-<template hash>-<random>` (e.g. `chocolates-6b9f7c4d8-x2k4p`), as a
 * Deployment's ReplicaSet would make: the middle part changes with every rollout revision.
 */
export function podName(deployment: string, template: string, revision: number): string {
  const digest = createHash('sha256').update(`${template}\n${revision}`).digest();
  const hash = Array.from(digest.subarray(0, 9), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
  const suffix = Array.from({ length: 5 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${deployment}-${hash}-${suffix}`;
}
