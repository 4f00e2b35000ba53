ALTER TABLE `ip_throttle` ADD `blocked_at` integer;--> statement-breakpoint
ALTER TABLE `ip_throttle` ADD `block_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `ip_throttle` ADD `blocked_failures` integer;--> statement-breakpoint
ALTER TABLE `ip_throttle` ADD `last_username` text;--> statement-breakpoint
CREATE INDEX `ip_throttle_blocked_idx` ON `ip_throttle` (`blocked_until`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `location` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `idle_ms` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `lockout_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `locked_permanently_at` integer;