<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>CompanionWindow</name>
    <message>
        <location filename="../../companion/ui/main_window.py" line="40" />
        <source>Traveler Companion</source>
        <translation>Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="46" />
        <source>Accounts</source>
        <translation>Konten</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="50" />
        <source>The ToDo app signs in with the default account; the passwords are in your system keyring.</source>
        <translation>Die ToDo-App meldet sich mit dem Standardkonto an; die Kennwörter liegen im Schlüsselbund Ihres Systems.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="62" />
        <source>No account yet. Add one to sign in to a Traveler server.</source>
        <translation>Noch kein Konto. Fügen Sie eines hinzu, um sich bei einem Traveler-Server anzumelden.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="67" />
        <source>Add account…</source>
        <translation>Konto hinzufügen…</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="69" />
        <source>Use for ToDo</source>
        <translation>Für ToDo verwenden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="70" />
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="128" />
        <source> — used by ToDo</source>
        <translation> — von ToDo verwendet</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="130" />
        <source>Traveler server %1</source>
        <translation>Traveler-Server %1</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="132" />
        <source>SyncML server (todos only)</source>
        <translation>SyncML-Server (nur Aufgaben)</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="169" />
        <source>Signed in as %1 on %2.</source>
        <translation>Angemeldet als %1 bei %2.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="189" />
        <source>Remove account</source>
        <translation>Konto entfernen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="190" />
        <source>Remove this account from both apps? Its todos stay on the server.</source>
        <translation>Dieses Konto aus beiden Apps entfernen? Seine Aufgaben bleiben auf dem Server.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/main_window.py" line="196" />
        <source>Removed %1.</source>
        <translation>%1 entfernt.</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../../companion/ui/content_views.py" line="148" />
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="155" />
        <source>Previous match</source>
        <translation>Vorheriger Treffer</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="159" />
        <source>Next match</source>
        <translation>Nächster Treffer</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location filename="../../companion/ui/content_views.py" line="114" />
        <source>This image cannot be shown.</source>
        <translation>Dieses Bild kann nicht angezeigt werden.</translation>
    </message>
</context>
<context>
    <name>InboxWindow</name>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="58" />
        <source>Secure attachments — Traveler Companion</source>
        <translation>Geschützte Anhänge — Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="73" />
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="75" />
        <source>Open file…</source>
        <translation>Datei öffnen …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="77" />
        <source>Account:</source>
        <translation>Konto:</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="85" />
        <source>Subject / attachment</source>
        <translation>Betreff / Anhang</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="85" />
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="85" />
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="85" />
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="108" />
        <source>No account yet: add one with traveler-companion account add.</source>
        <translation>Noch kein Konto: Fügen Sie eines mit traveler-companion account add hinzu.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="138" />
        <source>Loading…</source>
        <translation>Wird geladen …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="152" />
        <source>(no subject)</source>
        <translation>(kein Betreff)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../companion/ui/inbox_window.py" line="169" />
        <source>%n message(s) with attachments</source>
        <translation>
            <numerusform>%n Nachricht mit Anhängen</numerusform>
            <numerusform>%n Nachrichten mit Anhängen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="176" />
        <source>Something went wrong: %1</source>
        <translation>Etwas ist schiefgegangen: %1</translation>
    </message>
    <message>
        <location filename="../../companion/ui/inbox_window.py" line="189" />
        <source>Downloading %1…</source>
        <translation>%1 wird heruntergeladen …</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../../companion/ui/messages.py" line="22" />
        <source>This file was encrypted for another device.</source>
        <translation>Diese Datei wurde für ein anderes Gerät verschlüsselt.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="25" />
        <source>This file has been altered or is incomplete.</source>
        <translation>Diese Datei wurde verändert oder ist unvollständig.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="28" />
        <source>This is not a secure attachment (.tef) file.</source>
        <translation>Dies ist kein geschützter Anhang (.tef-Datei).</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="31" />
        <source>This file needs a newer version of the Traveler Companion.</source>
        <translation>Für diese Datei wird eine neuere Version des Traveler Companion benötigt.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="34" />
        <source>This device has no key to open secure attachments. Sign in to your server again.</source>
        <translation>Dieses Gerät hat keinen Schlüssel für geschützte Anhänge. Melden Sie sich erneut bei Ihrem Server an.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="38" />
        <source>The file cannot be read.</source>
        <translation>Die Datei kann nicht gelesen werden.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="44" />
        <source>Your administrator does not allow opening this file in other applications.</source>
        <translation>Ihr Administrator erlaubt nicht, diese Datei in anderen Anwendungen zu öffnen.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/messages.py" line="50" />
        <source>No approved application for this file type is installed.</source>
        <translation>Für diesen Dateityp ist keine freigegebene Anwendung installiert.</translation>
    </message>
</context>
<context>
    <name>PdfViewer</name>
    <message>
        <location filename="../../companion/ui/content_views.py" line="295" />
        <source>Previous page</source>
        <translation>Vorherige Seite</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="302" />
        <source>Next page</source>
        <translation>Nächste Seite</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="303" />
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="307" />
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="308" />
        <source>Fit to width</source>
        <translation>An Breite anpassen</translation>
    </message>
    <message numerus="yes">
        <location filename="../../companion/ui/content_views.py" line="331" />
        <source>of %n</source>
        <translation>
            <numerusform>von %n</numerusform>
            <numerusform>von %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="372" />
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/content_views.py" line="379" />
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="104" />
        <source>Sign in to Traveler</source>
        <translation>Bei Traveler anmelden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="112" />
        <source>Sign in to your Traveler server</source>
        <translation>Bei Ihrem Traveler-Server anmelden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="120" />
        <source>Both the ToDo app and the Companion use this account. The password is kept in your system keyring.</source>
        <translation>Die ToDo-App und die Companion-App verwenden dieses Konto. Das Kennwort wird im Schlüsselbund Ihres Systems gespeichert.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="130" />
        <source>e.g. alice</source>
        <translation>z. B. alice</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="135" />
        <source>Server URL</source>
        <translation>Server-URL</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="136" />
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="137" />
        <source>Password</source>
        <translation>Kennwort</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="146" />
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <location filename="../../companion/ui/sign_in.py" line="168" />
        <source>Testing the connection…</source>
        <translation>Verbindung wird geprüft…</translation>
    </message>
</context>
<context>
    <name>TextViewer</name>
    <message>
        <location filename="../../companion/ui/content_views.py" line="215" />
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
</context>
<context>
    <name>ViewerWindow</name>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="71" />
        <source>Secure attachment — Traveler Companion</source>
        <translation>Geschützter Anhang — Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="75" />
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="79" />
        <source>Open…</source>
        <translation>Öffnen …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="88" />
        <source>Open in…</source>
        <translation>Öffnen in …</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="98" />
        <source>View only</source>
        <translation>Nur anzeigen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="115" />
        <location filename="../../companion/ui/viewer_window.py" line="127" />
        <source>Open a secure attachment</source>
        <translation>Geschützten Anhang öffnen</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="116" />
        <source>Drop a .tef file here, or choose Open…</source>
        <translation>Ziehen Sie eine .tef-Datei hierher oder wählen Sie „Öffnen …“</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="129" />
        <source>Secure attachments (*.tef);;All files (*)</source>
        <translation>Geschützte Anhänge (*.tef);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="160" />
        <source>%1 — Traveler Companion</source>
        <translation>%1 — Traveler Companion</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="172" />
        <source>Encrypted by %1 on %2</source>
        <translation>Verschlüsselt von %1 am %2</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="176" />
        <source>Encrypted on %1</source>
        <translation>Verschlüsselt am %1</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="239" />
        <source>This file type cannot be shown here.</source>
        <translation>Dieser Dateityp kann hier nicht angezeigt werden.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="244" />
        <source>Use “Open in…” to open it in another application, if your administrator allows it.</source>
        <translation>Mit „Öffnen in …“ öffnen Sie die Datei in einer anderen Anwendung, sofern Ihr Administrator das erlaubt.</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="253" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="254" />
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="255" />
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="257" />
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="260" />
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="261" />
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="288" />
        <source>Open a decrypted copy in</source>
        <translation>Entschlüsselte Kopie öffnen in</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="314" />
        <source>Opened in %1</source>
        <translation>In %1 geöffnet</translation>
    </message>
    <message>
        <location filename="../../companion/ui/viewer_window.py" line="319" />
        <source>The application could not be started: %1</source>
        <translation>Die Anwendung konnte nicht gestartet werden: %1</translation>
    </message>
</context>
</TS>
