// Reference sentences for the spoken test corpus: what a speaker says at a talk, lecture, sermon or town hall.

/**
 * Forty sentences of five to sixteen words in everyday vocabulary, so that a general-purpose English language
 * model (PocketSphinx en-us) knows every word and recognition errors come from the audio, not from unknown words.
 * Numbers are written as words because that is what a recogniser outputs; comparing "42" with "forty two"
 * would count errors that are only spelling. Contractions are few: recognisers split and spell them unevenly.
 *
 * The order is part of the contract: corpus file names map to positions in this list, so append rather than
 * reorder or edit, or cached corpora and recorded benchmark results stop lining up with their text.
 */
export const SENTENCES: readonly string[] = [
  'Good morning everyone and thank you all for coming today.',
  'I would like to start with a short story about my first job.',
  'Please take your seats because we are about to begin.',
  'Our city council will meet again on the third Tuesday of next month.',
  'How many of you have ever tried to learn a second language?',
  'The new library will open its doors in the spring of next year.',
  'We have twenty minutes left, so let me move on to the next slide.',
  'I believe that every child deserves a good school close to home.',
  'Can everyone in the back of the room hear me clearly?',
  'Last year we planted more than three thousand trees along the river.',
  'Let us take a moment to remember those who are no longer with us.',
  'The results of the study surprised even the people who designed it.',
  'If you have a question, please raise your hand and wait for the microphone.',
  'Our budget for the coming year is about four million dollars.',
  'What would you do if you had one more hour every day?',
  'Today I want to talk about how we can work together as a community.',
  'The bus will run every fifteen minutes during the summer.',
  'Many families in this town are struggling to pay their rent.',
  "It's important to listen to each other even when we disagree.",
  'The speaker after me will explain the plan in more detail.',
  'Please turn to page forty two in your program.',
  'Why do so many good ideas fail before they ever start?',
  'We will take a short break and return at half past ten.',
  'I grew up in a small village with only one road.',
  'Faith is not about having all the answers.',
  'The water in the lake has become much cleaner over the last ten years.',
  'Thank you for your patience while we fix the sound system.',
  'Who would like to share their thoughts on this proposal?',
  'Our team spent six months talking to doctors and nurses across the country.',
  'The park will be closed on Saturday for the annual music festival.',
  'Every great change in history began with a small group of people.',
  "I don't think we should raise taxes this year.",
  'The first lesson of the course covers the basic rules of grammar.',
  'More than two hundred people signed the letter to the mayor.',
  'Where will the new hospital be built, and who will pay for it?',
  'Love your neighbor as you love yourself.',
  'The meeting will end at nine tonight.',
  'Please remember to turn off your phones during the performance.',
  'Technology can help us, but it cannot replace good teachers.',
  'Let me close by thanking the volunteers who made this evening possible.',
];

/**
 * Twelve long utterances of twenty-eight to forty words: several clauses, joined by commas rather than sentence
 * breaks, so a speaker reading one talks for 8–15 s with no pause longer than a breath (flite leaves at most
 * ~0.3 s at a comma). These are the sentences a listener waits longest for when translation starts only at the
 * end of speech, and the ones translated partial captions and clause-by-clause speech exist for. Same rules as
 * SENTENCES: words the en-us dictionary knows, numbers as words, append rather than reorder or edit.
 */
export const LONG_SENTENCES: readonly string[] = [
  'When the meeting starts tomorrow morning, we will first review the budget, then we will discuss the new schedule, and finally we will answer questions from the audience.',
  'Before we talk about the new bridge across the river, I want to thank the engineers and the workers who spent the whole winter building it in the cold and the rain, often late into the night.',
  'Most of the parents who wrote to us last month asked for longer library hours, safer roads near the schools, and more places where their children can play after class.',
  'If the weather stays dry over the weekend, the volunteers will paint the old community center, clean the park near the station, and plant flowers along the main street.',
  'Our doctors told us that people who walk for half an hour every day sleep better, feel less tired at work, and visit the hospital far less often than those who stay at home and sit all day long.',
  'The story I want to tell you tonight begins in a small town by the sea, where my grandmother opened a bakery with nothing but a few dollars and a lot of courage.',
  'We asked every family in the neighborhood what they needed most, and almost all of them said that they wanted cleaner streets, better buses, and a doctor close to home.',
  'As the students will see during the course, learning a new language takes patience and practice, but every hour you spend speaking with other people makes the next one easier.',
  'The council has decided to keep the swimming pool open until the end of September, because so many young people used it this summer and the weather is still warm.',
  'Although we did not reach every goal we set last year, we built two new schools, we opened a health center in the north, and we hired more teachers than ever before.',
  'Please stay in your seats after the last speaker has finished, because the organizers would like to take a group photo and then invite everyone to dinner in the main hall, where the music will begin at eight.',
  'When I first moved to this city twenty years ago, I did not know a single person, but the people on my street welcomed me and taught me what it means to belong.',
];

/**
 * Twenty sentences of a talk or meeting, each naming one person, product or place the en-us recogniser does not
 * know, or knows only spelled another way than it is said (Nguyen, Siobhan, Wojciech): the terms of the session
 * glossary in glossary.csv beside this file, in its order, one term per sentence. Every other word is one the
 * dictionary knows, so that what the glossary changes shows in the terms. Same rules as SENTENCES otherwise.
 */
export const GLOSSARY_SENTENCES: readonly string[] = [
  'Doctor Okonkwo will open the conference with a short talk about clean water.',
  'I want to thank Adebayo for bringing everyone together this evening.',
  'Siobhan will take notes during the meeting and send them to all of you.',
  'Wojciech has joined us today from our office in the north.',
  'Professor Nguyen asked me to share the results of the study with you.',
  'Most of the report we are reading today was written by Aoife.',
  'Thank you Priya for the wonderful photos of the festival.',
  'The next question comes from Ngozi in the second row.',
  'Our team moved every service to Kubernetes last spring.',
  'You can see the numbers for each week on the Grafana screen.',
  'We describe the whole network in Terraform so that anyone can build it again.',
  'All of the customer data is kept in Postgres on two machines.',
  'The night team uses Ansible to update the servers every week.',
  'The phone app was written in Kotlin by a small group of students.',
  'The designers shared the new screens in Figma this morning.',
  'Please open Kibana and look for the errors from last night.',
  'Our partners in Kharkiv sent their best wishes to everyone here.',
  'The next meeting will be held in Lviv at the end of May.',
  'The wind farm near Esbjerg now gives power to ten thousand homes.',
  'She studied music for three years in Trondheim before she came back.',
];
