"""The pages a person looks at: the home page of the signed-in project (dashboards and insights as pictures),
the login form, and a detail page per insight and dashboard. Server-rendered; they work with JavaScript off."""
