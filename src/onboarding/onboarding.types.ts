import { z } from 'zod';

/** POST /api/onboarding/setup (legacy schema: folder types `movies` | `series`). */
export const onboardingSetupBody = z.object({
  folders: z.array(z.object({ path: z.string(), type: z.enum(['movies', 'series']) })),
});
export type OnboardingSetup = z.infer<typeof onboardingSetupBody>;

/** GET /api/onboarding/status: legacy always answered this (no scan runs). */
export const ONBOARDING_STATUS = { scanning: false, progress: 100, currentFile: null } as const;
