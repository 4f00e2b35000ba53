ALTER TABLE `authenticators` ADD `recent_offsets` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `enrollments` ADD `replaces_id` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `reauth_at` integer;