CREATE TABLE `known_sign_ins` (
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`value_hash` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `kind`, `value_hash`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `notice_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notice_tokens_hash_idx` ON `notice_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `notice_tokens_user_idx` ON `notice_tokens` (`user_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `locale` text;