CREATE INDEX `enrollments_expires_idx` ON `enrollments` (`expires_at`);--> statement-breakpoint
CREATE INDEX `notice_tokens_expires_idx` ON `notice_tokens` (`expires_at`);--> statement-breakpoint
CREATE INDEX `password_resets_expires_idx` ON `password_resets` (`expires_at`);--> statement-breakpoint
CREATE INDEX `pending_logins_expires_idx` ON `pending_logins` (`expires_at`);