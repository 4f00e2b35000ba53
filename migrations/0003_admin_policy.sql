CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`user_id` text,
	`username` text,
	`detail` text DEFAULT '{}' NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` text
);
--> statement-breakpoint
CREATE INDEX `alerts_open_idx` ON `alerts` (`acknowledged_at`,`at`);--> statement-breakpoint
CREATE INDEX `alerts_user_idx` ON `alerts` (`user_id`,`kind`,`at`);--> statement-breakpoint
ALTER TABLE `users` ADD `groups` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `twofa_required` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `twofa_required_since` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `grace_until` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `enrollment_pass_hash` text;--> statement-breakpoint
ALTER TABLE `users` ADD `enrollment_pass_expires_at` integer;