<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ConflictNotice</name>
    <message>
        <source>Restore my version</source>
        <translation>Meine Version wiederherstellen</translation>
    </message>
    <message>
        <source>Changed on another device — your version: %1</source>
        <translation>Auf einem anderen Gerät geändert — Ihre Version: %1</translation>
    </message>
</context>
<context>
    <name>DelegationBar</name>
    <message>
        <source>Accept</source>
        <translation>Annehmen</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Mark as completed</source>
        <translation>Erledigen</translation>
    </message>
    <message>
        <source>%1 delegated this todo to you.</source>
        <translation>%1 hat Ihnen diese Aufgabe zugewiesen.</translation>
    </message>
    <message>
        <source>%1 delegated this todo to you. You %2.</source>
        <translation>%1 hat Ihnen diese Aufgabe zugewiesen. Sie haben %2.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Assigned to:</source>
        <translation>Zugewiesen an:</translation>
    </message>
</context>
<context>
    <name>NotificationPopup</name>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Snooze 10 min</source>
        <translation>10 Min. später</translation>
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
        <translation>ToDo anzeigen</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Jetzt synchronisieren</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
</context>
<context>
    <name>Push</name>
    <message>
        <source>%1 changed “%2”, which is delegated to you</source>
        <translation>%1 hat „%2“ geändert, das Ihnen zugewiesen ist</translation>
    </message>
    <message>
        <source>%1 withdrew “%2”</source>
        <translation>%1 hat „%2“ zurückgezogen</translation>
    </message>
    <message>
        <source>%1 answered “%2”: %3</source>
        <translation>%1 hat auf „%2“ geantwortet: %3</translation>
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
        <translation>Aufgabe hinzufügen — z. B. „Bericht morgen 17 Uhr !hoch #Renovierung“</translation>
    </message>
    <message>
        <source>Add a todo</source>
        <translation>Aufgabe hinzufügen</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Fällig</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>List</source>
        <translation>Liste</translation>
    </message>
    <message>
        <source>Repeats</source>
        <translation>Wiederholt sich</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>Zugewiesen an</translation>
    </message>
    <message>
        <source>%1 (checked when the todo syncs)</source>
        <translation>%1 (wird bei der Synchronisierung geprüft)</translation>
    </message>
    <message>
        <source>%1 (looking up…)</source>
        <translation>%1 (wird gesucht…)</translation>
    </message>
    <message>
        <source>There is no user “%1” on this server: a todo can only be delegated to users of the same server</source>
        <translation>Auf diesem Server gibt es keinen Benutzer „%1“: Aufgaben können nur Benutzern desselben Servers zugewiesen werden</translation>
    </message>
    <message>
        <source>%1 — the server cannot be reached, so the name is kept as typed and checked when the todo syncs</source>
        <translation>%1 — der Server ist nicht erreichbar; der Name bleibt wie eingegeben und wird bei der Synchronisierung geprüft</translation>
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
        <translation>Alle</translation>
    </message>
    <message>
        <source>Due Today</source>
        <translation>Heute fällig</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Überfällig</translation>
    </message>
    <message>
        <source>By Due Date</source>
        <translation>Nach Fälligkeit</translation>
    </message>
    <message>
        <source>By Priority</source>
        <translation>Nach Priorität</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Mittel</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Niedrig</translation>
    </message>
    <message>
        <source>High priority</source>
        <translation>Hohe Priorität</translation>
    </message>
    <message>
        <source>Medium priority</source>
        <translation>Mittlere Priorität</translation>
    </message>
    <message>
        <source>Low priority</source>
        <translation>Niedrige Priorität</translation>
    </message>
    <message>
        <source>My lists</source>
        <translation>Meine Listen</translation>
    </message>
</context>
<context>
    <name>SyncStatus</name>
    <message>
        <source>Retry</source>
        <translation>Erneut versuchen</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>Anmelden…</translation>
    </message>
    <message>
        <source>Live updates interrupted — reconnecting</source>
        <translation>Live-Aktualisierung unterbrochen — verbinde erneut</translation>
    </message>
    <message>
        <source>%1 — trying again in %2 s</source>
        <translation>%1 — nächster Versuch in %2 s</translation>
    </message>
    <message>
        <source>No live updates</source>
        <translation>Keine Live-Aktualisierung</translation>
    </message>
    <message>
        <source>%1 Changes made elsewhere arrive with the next sync.</source>
        <translation>%1 Änderungen von anderswo kommen mit der nächsten Synchronisierung.</translation>
    </message>
    <message>
        <source>Not signed in — your todos stay on this computer</source>
        <translation>Nicht angemeldet — Ihre Aufgaben bleiben auf diesem Computer</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Synchronisiere…</translation>
    </message>
    <message>
        <source>Sync failed: %1</source>
        <translation>Synchronisierung fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>Noch nie synchronisiert</translation>
    </message>
    <message>
        <source>Synced just now</source>
        <translation>Gerade synchronisiert</translation>
    </message>
    <message numerus="yes">
        <source>Synced %n minute(s) ago</source>
        <translation>
            <numerusform>Vor %n Minute synchronisiert</numerusform>
            <numerusform>Vor %n Minuten synchronisiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Synced %1</source>
        <translation>Synchronisiert %1</translation>
    </message>
</context>
<context>
    <name>TaskDelegate</name>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weitere Person</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TaskEditor</name>
    <message>
        <source>What needs doing?</source>
        <translation>Was ist zu tun?</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notizen</translation>
    </message>
    <message>
        <source>e.g. Home, Renovation</source>
        <translation>z. B. Zuhause, Renovierung</translation>
    </message>
    <message>
        <source>No reminder</source>
        <translation>Keine Erinnerung</translation>
    </message>
    <message>
        <source>At a set time…</source>
        <translation>Zu einer festen Zeit…</translation>
    </message>
    <message>
        <source>Custom rule…</source>
        <translation>Eigene Regel…</translation>
    </message>
    <message>
        <source>user names or e-mail addresses</source>
        <translation>Benutzernamen oder E-Mail-Adressen</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Fällig</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Lists</source>
        <translation>Listen</translation>
    </message>
    <message>
        <source>Reminder</source>
        <translation>Erinnerung</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>Zugewiesen an</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Save the changes (Ctrl+S)</source>
        <translation>Änderungen speichern (Strg+S)</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>Änderungen verwerfen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>At the due time</source>
        <translation>Zur Fälligkeit</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) before</source>
        <translation>
            <numerusform>%n Tag vorher</numerusform>
            <numerusform>%n Tage vorher</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s) before</source>
        <translation>
            <numerusform>%n Stunde vorher</numerusform>
            <numerusform>%n Stunden vorher</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s) before</source>
        <translation>
            <numerusform>%n Minute vorher</numerusform>
            <numerusform>%n Minuten vorher</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <source>List order</source>
        <translation>Listenreihenfolge</translation>
    </message>
    <message>
        <source>Due date</source>
        <translation>Fälligkeit</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Titel</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>Geändert</translation>
    </message>
    <message>
        <source>Sort: %1</source>
        <translation>Sortierung: %1</translation>
    </message>
    <message>
        <source>Set a date</source>
        <translation>Datum setzen</translation>
    </message>
    <message>
        <source>All day</source>
        <translation>Ganztägig</translation>
    </message>
    <message>
        <source>“%1”</source>
        <translation>„%1“</translation>
    </message>
    <message>
        <source>(no subject)</source>
        <translation>(kein Betreff)</translation>
    </message>
    <message>
        <source>due %1</source>
        <translation>fällig %1</translation>
    </message>
    <message>
        <source>no due date</source>
        <translation>kein Fälligkeitsdatum</translation>
    </message>
    <message>
        <source>priority %1</source>
        <translation>Priorität %1</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>erledigt</translation>
    </message>
    <message>
        <source>not completed</source>
        <translation>nicht erledigt</translation>
    </message>
    <message>
        <source>lists %1</source>
        <translation>Listen %1</translation>
    </message>
    <message>
        <source>in no list</source>
        <translation>in keiner Liste</translation>
    </message>
    <message>
        <source>notes %1</source>
        <translation>Notizen %1</translation>
    </message>
    <message>
        <source>no notes</source>
        <translation>keine Notizen</translation>
    </message>
    <message>
        <source>other details</source>
        <translation>weitere Angaben</translation>
    </message>
    <message>
        <source>⚠ Changed on another device</source>
        <translation>⚠ Auf anderem Gerät geändert</translation>
    </message>
    <message>
        <source>Repeats</source>
        <translation>Wiederholt sich</translation>
    </message>
    <message>
        <source>From %1 — waiting for your answer</source>
        <translation>Von %1 — wartet auf Ihre Antwort</translation>
    </message>
    <message>
        <source>From %1 — you %2</source>
        <translation>Von %1 — Sie haben %2</translation>
    </message>
    <message>
        <source>Assigned to %1 (%2)</source>
        <translation>Zugewiesen an %1 (%2)</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Tomorrow</source>
        <translation>Morgen</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <source>High</source>
        <translation>Hoch</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>Mittel</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>Niedrig</translation>
    </message>
    <message>
        <source>No priority</source>
        <translation>Keine Priorität</translation>
    </message>
    <message>
        <source>waiting for an answer</source>
        <translation>wartet auf Antwort</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>angenommen</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>tentatively accepted</source>
        <translation>vorläufig angenommen</translation>
    </message>
    <message>
        <source>delegated further</source>
        <translation>weiterdelegiert</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>in Bearbeitung</translation>
    </message>
    <message>
        <source>Every day</source>
        <translation>Täglich</translation>
    </message>
    <message>
        <source>Every weekday</source>
        <translation>Jeden Werktag</translation>
    </message>
    <message>
        <source>Every week</source>
        <translation>Wöchentlich</translation>
    </message>
    <message>
        <source>Every two weeks</source>
        <translation>Alle zwei Wochen</translation>
    </message>
    <message>
        <source>Every month</source>
        <translation>Monatlich</translation>
    </message>
    <message>
        <source>Every year</source>
        <translation>Jährlich</translation>
    </message>
    <message>
        <source>Does not repeat</source>
        <translation>Keine Wiederholung</translation>
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
        <translation>Suchen</translation>
    </message>
    <message>
        <source>Search todos</source>
        <translation>Aufgaben durchsuchen</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Sortieren nach</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>Jetzt &amp;synchronisieren</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;New todo</source>
        <translation>&amp;Neue Aufgabe</translation>
    </message>
    <message>
        <source>&amp;Complete</source>
        <translation>&amp;Erledigen</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Löschen</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>&amp;Suchen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message numerus="yes">
        <source>%n todo(s)</source>
        <translation>
            <numerusform>%n Aufgabe</numerusform>
            <numerusform>%n Aufgaben</numerusform>
        </translation>
    </message>
    <message>
        <source>No todo matches “%1”.</source>
        <translation>Keine Aufgabe passt zu „%1“.</translation>
    </message>
    <message>
        <source>No open todos with this priority.</source>
        <translation>Keine offenen Aufgaben mit dieser Priorität.</translation>
    </message>
    <message>
        <source>Nothing to do. Add a todo above — e.g. “Call Frank tomorrow 9:00 !high”.</source>
        <translation>Nichts zu tun. Fügen Sie oben eine Aufgabe hinzu — z. B. „Frank anrufen morgen 9 Uhr !hoch“.</translation>
    </message>
    <message>
        <source>Nothing is due today.</source>
        <translation>Heute ist nichts fällig.</translation>
    </message>
    <message>
        <source>Nothing is overdue. Well done!</source>
        <translation>Nichts ist überfällig. Gut gemacht!</translation>
    </message>
    <message>
        <source>No open todos.</source>
        <translation>Keine offenen Aufgaben.</translation>
    </message>
    <message>
        <source>No completed todos yet.</source>
        <translation>Noch keine erledigten Aufgaben.</translation>
    </message>
    <message>
        <source>This list has no open todos.</source>
        <translation>Diese Liste hat keine offenen Aufgaben.</translation>
    </message>
    <message>
        <source>&amp;Undo %1</source>
        <translation>%1 &amp;rückgängig machen</translation>
    </message>
    <message>
        <source>add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>complete</source>
        <translation>Erledigen</translation>
    </message>
    <message>
        <source>reopen</source>
        <translation>Wieder öffnen</translation>
    </message>
    <message>
        <source>delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Added “%1”</source>
        <translation>„%1“ hinzugefügt</translation>
    </message>
    <message>
        <source>Saved “%1”</source>
        <translation>„%1“ gespeichert</translation>
    </message>
    <message>
        <source>Reopened “%1”</source>
        <translation>„%1“ wieder geöffnet</translation>
    </message>
    <message>
        <source>Completed “%1” — the next one is due %2</source>
        <translation>„%1“ erledigt — die nächste ist fällig: %2</translation>
    </message>
    <message>
        <source>Completed “%1”</source>
        <translation>„%1“ erledigt</translation>
    </message>
    <message>
        <source>Deleted “%1”</source>
        <translation>„%1“ gelöscht</translation>
    </message>
    <message>
        <source>Restored your version of “%1”</source>
        <translation>Ihre Version von „%1“ wiederhergestellt</translation>
    </message>
    <message>
        <source>Accepted “%1”</source>
        <translation>„%1“ angenommen</translation>
    </message>
    <message>
        <source>Declined “%1”</source>
        <translation>„%1“ abgelehnt</translation>
    </message>
    <message>
        <source>That did not work: %1</source>
        <translation>Das hat nicht geklappt: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n new delegated todo(s)</source>
        <translation>
            <numerusform>%n neue zugewiesene Aufgabe</numerusform>
            <numerusform>%n neue zugewiesene Aufgaben</numerusform>
        </translation>
    </message>
    <message>
        <source>From %1 and others</source>
        <translation>Von %1 und anderen</translation>
    </message>
    <message>
        <source>New delegated todo</source>
        <translation>Neue zugewiesene Aufgabe</translation>
    </message>
    <message>
        <source>%1 delegated “%2” to you</source>
        <translation>%1 hat Ihnen „%2“ zugewiesen</translation>
    </message>
    <message numerus="yes">
        <source>%n reminder(s)</source>
        <translation>
            <numerusform>%n Erinnerung</numerusform>
            <numerusform>%n Erinnerungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n missed reminder(s)</source>
        <translation>
            <numerusform>%n verpasste Erinnerung</numerusform>
            <numerusform>%n verpasste Erinnerungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weitere</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>Missed reminder: %1</source>
        <translation>Verpasste Erinnerung: %1</translation>
    </message>
    <message>
        <source>The reminder was set for %1</source>
        <translation>Die Erinnerung war für %1 eingestellt</translation>
    </message>
    <message>
        <source>Reminder: %1</source>
        <translation>Erinnerung: %1</translation>
    </message>
    <message>
        <source>Due %1</source>
        <translation>Fällig %1</translation>
    </message>
</context>
</TS>
