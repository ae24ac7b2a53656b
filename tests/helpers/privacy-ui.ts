// The Privacy page asks for the account password again before a grant or a data export (PasswordDialog): type it there.
import type { Page } from 'playwright-core';

/** Waits for the password dialog, types the password, confirms, and waits for the dialog to close (the step went through). */
export async function confirmPassword(page: Page, password: string): Promise<void> {
  const dialog = page.locator('[data-testid=confirm-password]');
  await dialog.waitFor();
  await dialog.locator('input[name=confirm-password]').fill(password);
  await dialog.locator('button[type=submit]').click();
  await dialog.waitFor({ state: 'detached' });
}

/** A purpose switched on from the Privacy page: the click (or a key press already made by the caller), then the password. */
export async function grantFromPage(page: Page, purpose: string, password: string): Promise<void> {
  await page.click(`[data-testid=switch-${purpose}]`);
  await confirmPassword(page, password);
}

/** The dialog refuses (a wrong password, the cloud away): its message matches, then it is cancelled. */
export async function confirmPasswordRefused(page: Page, password: string, message: RegExp): Promise<void> {
  const dialog = page.locator('[data-testid=confirm-password]');
  await dialog.waitFor();
  await dialog.locator('input[name=confirm-password]').fill(password);
  await dialog.locator('button[type=submit]').click();
  const alert = dialog.locator('[role=alert]');
  await alert.waitFor();
  const text = (await alert.textContent()) ?? '';
  if (!message.test(text)) throw new Error(`the password dialog said “${text}”, not ${String(message)}`);
  await dialog.locator('button[type=button]').click();
  await dialog.waitFor({ state: 'detached' });
}
