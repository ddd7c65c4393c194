<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ConflictNotice</name>
    <message>
        <source>Restore my version</source>
        <translation>Restore my version</translation>
    </message>
    <message>
        <source>Changed on another device — your version: %1</source>
        <translation>Changed on another device — your version: %1</translation>
    </message>
</context>
<context>
    <name>DelegationBar</name>
    <message>
        <source>Accept</source>
        <translation>Accept</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Decline</translation>
    </message>
    <message>
        <source>Mark as completed</source>
        <translation>Mark as completed</translation>
    </message>
    <message>
        <source>%1 delegated this todo to you.</source>
        <translation>%1 delegated this todo to you.</translation>
    </message>
    <message>
        <source>%1 delegated this todo to you. You %2.</source>
        <translation>%1 delegated this todo to you. You %2.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Assigned to:</source>
        <translation>Assigned to:</translation>
    </message>
</context>
<context>
    <name>NotificationPopup</name>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>ToDo</source>
        <translation>ToDo</translation>
    </message>
    <message>
        <source>Show ToDo</source>
        <translation>Show ToDo</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>Push</name>
    <message>
        <source>%1 changed “%2”, which is delegated to you</source>
        <translation>%1 changed “%2”, which is delegated to you</translation>
    </message>
    <message>
        <source>%1 withdrew “%2”</source>
        <translation>%1 withdrew “%2”</translation>
    </message>
    <message>
        <source>%1 answered “%2”: %3</source>
        <translation>%1 answered “%2”: %3</translation>
    </message>
    <message>
        <source>ToDo</source>
        <translation>ToDo</translation>
    </message>
</context>
<context>
    <name>QuickAddBar</name>
    <message>
        <source>Add a todo — e.g. “Call Frank tomorrow 9:00 !high #Renovation”</source>
        <translation>Add a todo — e.g. “Call Frank tomorrow 9:00 !high #Renovation”</translation>
    </message>
    <message>
        <source>Add a todo</source>
        <translation>Add a todo</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>List</source>
        <translation>List</translation>
    </message>
    <message>
        <source>Repeats</source>
        <translation>Repeats</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>Assigned to</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <source>ToDo</source>
        <translation>ToDo</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>All</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Due Today</source>
        <translation>Due Today</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>By Due Date</source>
        <translation>By Due Date</translation>
    </message>
    <message>
        <source>By Priority</source>
        <translation>By Priority</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>High</source>
        <translation>High</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Medium</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Low</translation>
    </message>
    <message>
        <source>High priority</source>
        <translation>High priority</translation>
    </message>
    <message>
        <source>Medium priority</source>
        <translation>Medium priority</translation>
    </message>
    <message>
        <source>Low priority</source>
        <translation>Low priority</translation>
    </message>
    <message>
        <source>My lists</source>
        <translation>My lists</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Sign in…</translation>
    </message>
    <message>
        <source>Not signed in — your todos stay on this computer</source>
        <translation>Not signed in — your todos stay on this computer</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Syncing…</translation>
    </message>
    <message>
        <source>Sync failed: %1</source>
        <translation>Sync failed: %1</translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>Never synced</translation>
    </message>
    <message>
        <source>Synced just now</source>
        <translation>Synced just now</translation>
    </message>
    <message numerus="yes">
        <source>Synced %n minute(s) ago</source>
        <translation>
            <numerusform>Synced %n minute ago</numerusform>
            <numerusform>Synced %n minutes ago</numerusform>
        </translation>
    </message>
    <message>
        <source>Synced %1</source>
        <translation>Synced %1</translation>
    </message>
</context>
<context>
    <name>TaskDelegate</name>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 and %n other</numerusform>
            <numerusform>%1 and %n others</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TaskEditor</name>
    <message>
        <source>What needs doing?</source>
        <translation>What needs doing?</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>e.g. Home, Renovation</source>
        <translation>e.g. Home, Renovation</translation>
    </message>
    <message>
        <source>No reminder</source>
        <translation>No reminder</translation>
    </message>
    <message>
        <source>At a set time…</source>
        <translation>At a set time…</translation>
    </message>
    <message>
        <source>Custom rule…</source>
        <translation>Custom rule…</translation>
    </message>
    <message>
        <source>user names or e-mail addresses</source>
        <translation>user names or e-mail addresses</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Lists</source>
        <translation>Lists</translation>
    </message>
    <message>
        <source>Reminder</source>
        <translation>Reminder</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>Repeat</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>Assigned to</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Save the changes (Ctrl+S)</source>
        <translation>Save the changes (Ctrl+S)</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>Discard changes</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>At the due time</source>
        <translation>At the due time</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) before</source>
        <translation>
            <numerusform>%n day before</numerusform>
            <numerusform>%n days before</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s) before</source>
        <translation>
            <numerusform>%n hour before</numerusform>
            <numerusform>%n hours before</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s) before</source>
        <translation>
            <numerusform>%n minute before</numerusform>
            <numerusform>%n minutes before</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <source>List order</source>
        <translation>List order</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>Due date</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>Modified</translation>
    </message>
    <message>
        <source>Sort: %1</source>
        <translation>Sort: %1</translation>
    </message>
    <message>
        <source>Set a date</source>
        <translation>Set a date</translation>
    </message>
    <message>
        <source>All day</source>
        <translation>All day</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>“%1”</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(no subject)</translation>
    </message>
    <message>
        <source>due %1</source>
        <translation>due %1</translation>
    </message>
    <message>
        <source>no due date</source>
        <translation>no due date</translation>
    </message>
    <message>
        <source>priority %1</source>
        <translation>priority %1</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>completed</translation>
    </message>
    <message>
        <source>not completed</source>
        <translation>not completed</translation>
    </message>
    <message>
        <source>lists %1</source>
        <translation>lists %1</translation>
    </message>
    <message>
        <source>in no list</source>
        <translation>in no list</translation>
    </message>
    <message>
        <source>notes %1</source>
        <translation>notes %1</translation>
    </message>
    <message>
        <source>no notes</source>
        <translation>no notes</translation>
    </message>
    <message>
        <source>other details</source>
        <translation>other details</translation>
    </message>
    <message>
        <source>⚠ Changed on another device</source>
        <translation>⚠ Changed on another device</translation>
    </message>
    <message>
        <source>Repeats</source>
        <translation>Repeats</translation>
    </message>
    <message>
        <source>From %1 — waiting for your answer</source>
        <translation>From %1 — waiting for your answer</translation>
    </message>
    <message>
        <source>From %1 — you %2</source>
        <translation>From %1 — you %2</translation>
    </message>
    <message>
        <source>Assigned to %1 (%2)</source>
        <translation>Assigned to %1 (%2)</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Tomorrow</source>
        <translation>Tomorrow</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <source>High</source>
        <translation>High</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Medium</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Low</translation>
    </message>
    <message>
        <source>No priority</source>
        <translation>No priority</translation>
    </message>
    <message>
        <source>waiting for an answer</source>
        <translation>waiting for an answer</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>accepted</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>declined</translation>
    </message>
    <message>
        <source>tentatively accepted</source>
        <translation>tentatively accepted</translation>
    </message>
    <message>
        <source>delegated further</source>
        <translation>delegated further</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>in progress</translation>
    </message>
    <message>
        <source>Every day</source>
        <translation>Every day</translation>
    </message>
    <message>
        <source>Every weekday</source>
        <translation>Every weekday</translation>
    </message>
    <message>
        <source>Every week</source>
        <translation>Every week</translation>
    </message>
    <message>
        <source>Every two weeks</source>
        <translation>Every two weeks</translation>
    </message>
    <message>
        <source>Every month</source>
        <translation>Every month</translation>
    </message>
    <message>
        <source>Every year</source>
        <translation>Every year</translation>
    </message>
    <message>
        <source>Does not repeat</source>
        <translation>Does not repeat</translation>
    </message>
</context>
<context>
    <name>TodoWindow</name>
    <message>
        <source>ToDo — %1</source>
        <translation>ToDo — %1</translation>
    </message>
    <message>
        <source>ToDo</source>
        <translation>ToDo</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Search todos</source>
        <translation>Search todos</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Sort by</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Undo</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>&amp;Sync now</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Edit</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Undo</translation>
    </message>
    <message>
        <source>&amp;New todo</source>
        <translation>&amp;New todo</translation>
    </message>
    <message>
        <source>&amp;Complete</source>
        <translation>&amp;Complete</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Delete</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>&amp;Find</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message numerus="yes">
        <source>%n todo(s)</source>
        <translation>
            <numerusform>%n todo</numerusform>
            <numerusform>%n todos</numerusform>
        </translation>
    </message>
    <message>
        <source>No todo matches “%1”.</source>
        <translation>No todo matches “%1”.</translation>
    </message>
    <message>
        <source>No open todos with this priority.</source>
        <translation>No open todos with this priority.</translation>
    </message>
    <message>
        <source>Nothing to do. Add a todo above — e.g. “Call Frank tomorrow 9:00 !high”.</source>
        <translation>Nothing to do. Add a todo above — e.g. “Call Frank tomorrow 9:00 !high”.</translation>
    </message>
    <message>
        <source>Nothing is due today.</source>
        <translation>Nothing is due today.</translation>
    </message>
    <message>
        <source>Nothing is overdue. Well done!</source>
        <translation>Nothing is overdue. Well done!</translation>
    </message>
    <message>
        <source>No open todos.</source>
        <translation>No open todos.</translation>
    </message>
    <message>
        <source>No completed todos yet.</source>
        <translation>No completed todos yet.</translation>
    </message>
    <message>
        <source>This list has no open todos.</source>
        <translation>This list has no open todos.</translation>
    </message>
    <message>
        <source>&amp;Undo %1</source>
        <translation>&amp;Undo %1</translation>
    </message>
    <message>
        <source>add</source>
        <translation>add</translation>
    </message>
    <message>
        <source>edit</source>
        <translation>edit</translation>
    </message>
    <message>
        <source>complete</source>
        <translation>complete</translation>
    </message>
    <message>
        <source>reopen</source>
        <translation>reopen</translation>
    </message>
    <message>
        <source>delete</source>
        <translation>delete</translation>
    </message>
    <message>
        <source>restore</source>
        <translation>restore</translation>
    </message>
    <message>
        <source>import</source>
        <translation>import</translation>
    </message>
    <message>
        <source>Added “%1”</source>
        <translation>Added “%1”</translation>
    </message>
    <message>
        <source>Saved “%1”</source>
        <translation>Saved “%1”</translation>
    </message>
    <message>
        <source>Reopened “%1”</source>
        <translation>Reopened “%1”</translation>
    </message>
    <message>
        <source>Completed “%1” — the next one is due %2</source>
        <translation>Completed “%1” — the next one is due %2</translation>
    </message>
    <message>
        <source>Completed “%1”</source>
        <translation>Completed “%1”</translation>
    </message>
    <message>
        <source>Deleted “%1”</source>
        <translation>Deleted “%1”</translation>
    </message>
    <message>
        <source>Restored your version of “%1”</source>
        <translation>Restored your version of “%1”</translation>
    </message>
    <message>
        <source>Accepted “%1”</source>
        <translation>Accepted “%1”</translation>
    </message>
    <message>
        <source>Declined “%1”</source>
        <translation>Declined “%1”</translation>
    </message>
    <message>
        <source>That did not work: %1</source>
        <translation>That did not work: %1</translation>
    </message>
    <message>
        <source>New delegated todo</source>
        <translation>New delegated todo</translation>
    </message>
    <message>
        <source>%1 delegated “%2” to you</source>
        <translation>%1 delegated “%2” to you</translation>
    </message>
    <message>
        <source>Reminder: %1</source>
        <translation>Reminder: %1</translation>
    </message>
    <message>
        <source>Due %1</source>
        <translation>Due %1</translation>
    </message>
</context>
</TS>
